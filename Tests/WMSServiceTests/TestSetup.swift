import Config
import Foundation
import Hummingbird
import ImageCodec
import Logging
import OGCCore
import ServiceKit
import TileStore
import VectorData
@testable import WMSService

/// The repository's demo config (config/, styles/, capabilities-templates/, pyramids) served by a WebMapService.
enum WMSTestSetup {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Env: Sendable {
        var service: WebMapService
        var context: ServiceContext
    }

    static let pyramids = TileStoreRegistry()

    /// The demo config's endpoint `endpoint`; `edit` may change the loaded config first (e.g. offer a raster
    /// layer on the vector endpoint).
    static func env(endpoint name: String = "wms-v", edit: (inout ConfigSnapshot) -> Void = { _ in }) async throws -> Env {
        var snapshot = await ConfigLoader(directory: repo.appendingPathComponent("config")).load()
        edit(&snapshot)
        let endpoint = try require(snapshot.endpoints[name])
        let templates = try await TemplateLibrary(directory: repo.appendingPathComponent("capabilities-templates"))
        let layers = snapshot.published(on: name)
        _ = try require(snapshot.storedData["france-demo"]?.storage.path)
        let service = WebMapService(sources: SourceRegistry(), pyramids: pyramids)
        let context = ServiceContext(snapshot: snapshot, endpoint: endpoint, urlType: "WMS", layers: layers,
                                     visibilityKey: "test", templates: templates, logger: Logger(label: "wms-test"))
        return Env(service: service, context: context)
    }

    struct Answer {
        var status: Int
        var contentType: String
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Calls the service as the server does: errors become the service's error response.
    static func call(_ env: Env, _ query: String) async throws -> Answer {
        let request = OGCRequest(kvp: try KVP(query: query), endpointURL: "http://localhost/wms-v")
        let response: Response
        do {
            response = try await env.service.handle(request, env.context)
        } catch let e as OGCError {
            response = env.service.errorResponse(e, for: request, env.context)
        }
        var buf = try await response.collectBody()
        let bytes = buf.readBytes(length: buf.readableBytes) ?? []
        return Answer(status: Int(response.status.code), contentType: response.headers[.contentType] ?? "", body: bytes)
    }

    static func image(_ env: Env, _ query: String) async throws -> RasterImage {
        let a = try await call(env, query)
        guard a.contentType.hasPrefix("image/"), let img = TestImageDecoder.decode(a.body) else {
            throw TestFailure("not an image (\(a.status) \(a.contentType)): \(a.text.prefix(400))")
        }
        return img
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// xmllint against the repository's offline schemas: nil when valid, else its complaint.
    static func xmllint(_ xml: [UInt8], schema: String? = nil, dtd: String? = nil) throws -> String? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wms-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("doc.xml")
        try Data(xml).write(to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        let schemas = repo.appendingPathComponent("Tests/Schemas")
        var env = ProcessInfo.processInfo.environment
        env["XML_CATALOG_FILES"] = schemas.appendingPathComponent("catalog.xml").path
        p.environment = env
        var args = ["--nonet", "--noout"]
        if let s = schema { args += ["--schema", schemas.appendingPathComponent("schemas.opengis.net/" + s).path] }
        if let d = dtd { args += ["--dtdvalid", schemas.appendingPathComponent("schemas.opengis.net/" + d).path] }
        p.arguments = args + [file.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return p.terminationStatus == 0 ? nil : msg
    }
}

extension RasterImage {
    /// The RGBA of a pixel as a tuple.
    func rgba(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int, a: Int) {
        let p = Array(pixel(x, y))
        return (Int(p[0]), Int(p[1]), Int(p[2]), Int(p[3]))
    }

    /// Whether the pixel is within `tol` of a colour.
    func isColour(_ x: Int, _ y: Int, _ hex: UInt32, tol: Int = 12) -> Bool {
        let c = rgba(x, y)
        return abs(c.r - Int(hex >> 16)) <= tol && abs(c.g - Int((hex >> 8) & 0xFF)) <= tol && abs(c.b - Int(hex & 0xFF)) <= tol
    }
}

func require<T>(_ v: T?, _ what: String = "value") throws -> T {
    guard let v else { throw WMSTestSetup.TestFailure("missing \(what)") }
    return v
}

/// Keeps #expect from printing whole images when a pixel check fails.
func holds(_ b: Bool) -> Bool { b }
