import Config
import Foundation
import Hummingbird
import Logging
import OGCCore
import ServiceKit
import Testing
import VectorData
@testable import WFSService

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let demoGPKG = repoRoot.appendingPathComponent("config/data/france-demo.gpkg").path
let schemasDir = repoRoot.appendingPathComponent("Tests/Schemas")

/// A WFS endpoint publishing the demo GeoPackage: configuration `admin` (regions, departements, communes) and
/// configuration `extra` (communes again, as `extra:towns`, with paging limits).
struct WFSFixture {
    static let shared = WFSFixture()
    let service = WFSService(sources: SourceRegistry())
    let snapshot: ConfigSnapshot

    init() {
        var snap = ConfigSnapshot(directory: repoRoot.appendingPathComponent("config"))
        snap.generation = 1
        var meta = ServiceMetadata(title: "Passerelle WFS test", abstract: "Test service")
        meta.keywords = ["test"]
        let endpoint = Endpoint(id: "wfs", name: "WFS", type: .wfs, urls: [EndpointURL(type: "WFS", url: "/wfs")], open: true, service: meta)
        snap.endpoints["wfs"] = endpoint
        snap.storedData["demo"] = StoredData(id: "demo", name: "demo", type: .vectorDB,
                                             storage: Storage(type: "FILESYSTEM", path: demoGPKG))
        func rel(_ native: String, _ pub: String? = nil, _ title: String) -> UsedRelation {
            var r = UsedRelation(nativeName: native, title: title)
            r.publicName = pub; r.abstract = "The \(native)"; r.keywords = ["France", native]
            return r
        }
        var admin = Configuration(id: "admin", type: .wfs, name: "Admin", layerName: "admin", typeInfos: ConfigurationTypeInfos(
            usedData: [UsedData(storedData: "demo", relations: [rel("regions", nil, "Régions"), rel("departements", nil, "Départements"),
                                                                  rel("communes", nil, "Communes")])]))
        admin.metadata = [try! JSONDecoder().decode(MetadataLink.self, from: Data(#"{"format": "application/xml", "url": "https://example.org/md.xml", "type": "ISO19115:2003"}"#.utf8))]
        var extraInfos = ConfigurationTypeInfos(usedData: [UsedData(storedData: "demo", relations: [rel("communes", "towns", "Towns")])])
        extraInfos.defaultCount = 10
        extraInfos.maxCount = 50
        extraInfos.bbox = GeoBBox(west: 2, south: 45, east: 5, north: 49)
        let extra = Configuration(id: "extra", type: .wfs, name: "Extra", layerName: "extra", typeInfos: extraInfos)
        snap.configurations = ["admin": admin, "extra": extra]
        snap.offerings = ["o1": Offering(id: "o1", configuration: "admin", endpoint: "wfs"),
                          "o2": Offering(id: "o2", configuration: "extra", endpoint: "wfs")]
        snapshot = snap
    }

    static let templates: TemplateLibrary = {
        // Loaded synchronously from the repository's templates.
        let dir = repoRoot.appendingPathComponent("capabilities-templates")
        var map: [String: String] = [:]
        for f in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] where f.hasSuffix(".mustache") {
            map[String(f.dropLast(".mustache".count))] = try? String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
        }
        return try! TemplateLibrary(templates: map)
    }()

    var context: ServiceContext {
        ServiceContext(snapshot: snapshot, endpoint: snapshot.endpoints["wfs"]!, urlType: "WFS",
                       layers: snapshot.published(on: "wfs"), visibilityKey: "all", templates: Self.templates,
                       logger: Logger(label: "wfs-test"))
    }

    struct Answer {
        var status: Int
        var contentType: String
        var body: String
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
        var features: [[String: Any]] { json?["features"] as? [[String: Any]] ?? [] }
    }

    /// Runs a KVP request (the query string as a client sends it) through the service, errors rendered as the
    /// service renders them.
    func get(_ query: String) async throws -> Answer {
        let request = OGCRequest(kvp: try KVP(query: query), endpointURL: "http://test.example/wfs",
                                 persistentQuery: [("apikey", "k1")])
        return try await run(request)
    }

    func post(_ xml: String) async throws -> Answer {
        let request = OGCRequest(method: .post, body: ByteBuffer(string: xml), endpointURL: "http://test.example/wfs")
        return try await run(request)
    }

    func run(_ request: OGCRequest) async throws -> Answer {
        let ctx = context
        let response: Response
        do {
            response = try await service.handle(request, ctx)
        } catch let e as OGCError {
            response = service.errorResponse(e, for: request, ctx)
        }
        let buf = try await response.collectBody()
        return Answer(status: Int(response.status.code), contentType: response.headers[.contentType] ?? "",
                      body: String(buffer: buf))
    }
}

/// `xmllint --nonet --noout --schema` with the offline catalog; returns nil when valid, else the messages.
func xmllintErrors(_ document: String, schema: String, extraFiles: [String: String] = [:]) throws -> String? {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wfs-xsd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, text) in extraFiles { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    let doc = dir.appendingPathComponent("doc.xml")
    try document.write(to: doc, atomically: true, encoding: .utf8)
    let schemaPath = schema.hasPrefix("/") ? schema : dir.appendingPathComponent(schema).path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
    p.arguments = ["--nonet", "--noout", "--schema", schemaPath, doc.path]
    var env = ProcessInfo.processInfo.environment
    env["XML_CATALOG_FILES"] = schemasDir.appendingPathComponent("catalog.xml").path
    p.environment = env
    let err = Pipe()
    p.standardError = err
    p.standardOutput = Pipe()
    try p.run()
    let data = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return p.terminationStatus == 0 ? nil : String(decoding: data, as: UTF8.self)
}

func schemaFile(_ relative: String) -> String { schemasDir.appendingPathComponent("schemas.opengis.net/" + relative).path }

/// The exception code and locator of an OWS exception report.
func exception(_ a: WFSFixture.Answer) -> (code: String?, locator: String?) {
    func attr(_ name: String) -> String? {
        guard let r = a.body.range(of: "\(name)=\"") else { return nil }
        let rest = a.body[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
    return (attr("exceptionCode"), attr("locator"))
}
