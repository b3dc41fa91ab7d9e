import Config
import Foundation
import Hummingbird
import HummingbirdTesting
import PasserelleServer
import Testing

/// The repository's root, from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The server over a copy of the demo config (tests may edit the copy).
func withDemoServer(_ body: @escaping @Sendable (any TestClientProtocol, URL) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-server-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let config = dir.appendingPathComponent("config")
    try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("config"), to: config)
    if FileManager.default.fileExists(atPath: repoRoot.appendingPathComponent("styles").path) {
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("styles"), to: dir.appendingPathComponent("styles"))
    }
    defer { try? FileManager.default.removeItem(at: dir) }
    let app = try await PasserelleApp.make(configDirectory: config,
                                           templatesDirectory: repoRoot.appendingPathComponent("capabilities-templates"))
    let application = Application(responder: app.responder())
    try await application.test(.router) { client in try await body(client, config) }
}

@Suite struct ServerTests {
    @Test func healthStatusMetrics() async throws {
        try await withDemoServer { client, _ in
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/status", method: .get) { r in
                #expect(r.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                #expect((json?["generation"] as? Int) == 1)
                let loaded = json?["loaded"] as? [String: Any]
                #expect((loaded?["endpoints"] as? [String])?.contains("wfs") == true)
                #expect((json?["errors"] as? [Any])?.isEmpty == true, "the demo config has no error: \(String(buffer: r.body))")
            }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(String(buffer: r.body).contains("passerelle_config_generation 1"))
            }
        }
    }

    @Test func unknownPathIs404AndOptionsIsAPreflight() async throws {
        try await withDemoServer { client, _ in
            try await client.execute(uri: "/nowhere", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/wfs", method: .options) { r in
                #expect(r.status == .noContent)
                #expect(r.headers[.accessControlAllowOrigin] == "*")
                #expect(r.headers[.accessControlAllowMethods]?.contains("POST") == true)
            }
            try await client.execute(uri: "/wfs", method: .delete) { r in #expect(r.status == .methodNotAllowed) }
        }
    }

    @Test func privateEndpointWithoutKeyIs401WithAnException() async throws {
        try await withDemoServer { client, _ in
            try await client.execute(uri: "/private/wfs?SERVICE=WFS&REQUEST=GetCapabilities", method: .get) { r in
                #expect(r.status == .unauthorized)
                let body = String(buffer: r.body)
                #expect(body.contains("ExceptionReport"))
                #expect(!body.contains("restricted"))
                #expect(r.headers[.accessControlAllowOrigin] == "*")
            }
            try await client.execute(uri: "/private/wfs?SERVICE=WFS&REQUEST=GetCapabilities&apikey=wrong", method: .get) { r in
                #expect(r.status == .forbidden)
            }
        }
    }

    @Test func badQueryStringGetsAnExceptionNotACrash() async throws {
        try await withDemoServer { client, _ in
            try await client.execute(uri: "/wfs?SERVICE=WFS&REQUEST=GetCapabilities&X=%FF%FE%", method: .get) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("InvalidParameterValue"))
            }
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await withDemoServer { client, _ in
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 3 * 1024 * 1024)
            try await client.execute(uri: "/wfs", method: .post, headers: [.contentType: "application/xml"], body: big) { r in
                #expect(r.status.code == 413)
                #expect(String(buffer: r.body).contains("Exception"))
            }
        }
    }
}
