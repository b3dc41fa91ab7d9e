import Config
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import OGCCore
import ServiceKit
import TileServices
import TileStore

/// A config built in code over the fixture pyramids of TileStoreTests.
enum TestSetup {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repo.appendingPathComponent("Tests/TileStoreTests/Fixtures")
    static let registry = TileStoreRegistry()

    static func descriptor(_ name: String) -> String {
        fixtures.appendingPathComponent("rok4/pyramids/\(name).json").path
    }

    static func snapshot(getFeatureInfo: Bool = true) -> ConfigSnapshot {
        var s = ConfigSnapshot(directory: repo.appendingPathComponent("config"))
        s.tileMatrixSetsDirectory = fixtures.appendingPathComponent("tilematrixsets")
        s.endpoints["wmts"] = Endpoint(id: "wmts", name: "Tiles", type: .wmtsTms,
                                       urls: [EndpointURL(type: "WMTS", url: "/wmts"), EndpointURL(type: "TMS", url: "/tms/1.0.0")],
                                       open: true, service: ServiceMetadata(title: "Passerelle tiles", abstract: "Fixture pyramids"))
        let pyramids: [(String, StoredDataType, String, String, String)] = [
            ("FRANCE_RELIEF_JPG", .rok4PyramidRaster, "relief", "3", "10"),
            ("RHONE_RGBA_PNG", .rok4PyramidRaster, "rhone_rgba", "6", "9"),
            ("RHONE_ADMIN_MVT", .rok4PyramidVector, "rhone_admin", "5", "12"),
        ]
        for (name, type, layer, top, bottom) in pyramids {
            s.storedData[name] = StoredData(id: name, name: name, type: type,
                                            storage: Storage(type: "FILESYSTEM", path: descriptor(name)))
            var u = UsedData(storedData: name)
            u.topLevel = LevelID(top); u.bottomLevel = LevelID(bottom)
            var ti = ConfigurationTypeInfos(usedData: [u])
            ti.title = "Layer \(layer)"; ti.abstract = "Fixture \(name)"; ti.keywords = ["fixture"]
            if getFeatureInfo && type == .rok4PyramidRaster { ti.getfeatureinfo = try! JSONDecoder().decode(GetFeatureInfoSource.self, from: Data(#"{"stored_data": true}"#.utf8)) }
            s.configurations[layer] = Configuration(id: layer, type: .wmtsTms, name: name, layerName: layer, typeInfos: ti)
            s.offerings[layer] = Offering(id: layer, configuration: layer, endpoint: "wmts")
        }
        return s
    }

    static func templates() throws -> TemplateLibrary {
        let dir = repo.appendingPathComponent("capabilities-templates")
        var t: [String: String] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path)
        where f.hasSuffix(".mustache") && (f.hasPrefix("wmts-") || f.hasPrefix("tms-")) {
            t[String(f.dropLast(9))] = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
        }
        return try TemplateLibrary(templates: t)
    }

    static func context(endpoint: String = "wmts", urlType: String = "WMTS", snapshot: ConfigSnapshot = snapshot()) throws -> ServiceContext {
        ServiceContext(snapshot: snapshot, endpoint: snapshot.endpoints[endpoint]!, urlType: urlType,
                       layers: snapshot.published(on: endpoint), visibilityKey: "test", templates: try templates(),
                       logger: Logger(label: "test"))
    }

    static func request(_ subpath: String = "", _ kvp: [(String, String)] = [], method: HTTPRequest.Method = .get,
                        headers: HTTPFields = [:], endpoint: String = "http://example.org/wmts") -> OGCRequest {
        OGCRequest(method: method, subpath: subpath, kvp: KVP(kvp), headers: headers, endpointURL: endpoint)
    }

    /// Calls the service like the server does: errors become the service's error response.
    static func call(_ service: some OGCService, _ request: OGCRequest, _ context: ServiceContext) async throws -> (Response, [UInt8]) {
        let r: Response
        do { r = try await service.handle(request, context) } catch let e as OGCError {
            r = service.errorResponse(e, for: request, context)
        }
        let body = try await r.collectBody()
        return (r, Array(body.readableBytesView))
    }

    /// The tile as the store reads it.
    static func storeTile(_ name: String, _ level: String, _ col: Int, _ row: Int) throws -> [UInt8]? {
        let p = try Pyramid.load(descriptor: descriptor(name))
        let r = PyramidReader(pyramid: p, storage: FileSlabStorage(), indexes: SlabIndexCache())
        return try r.readTile(level: level, col: col, row: row).map { Array($0.bytes.readableBytesView) }
    }

    /// xmllint against the repository's offline schemas; nil when valid, else its complaint.
    static func validate(_ xml: [UInt8], schema: String) throws -> String? {
        let schemas = repo.appendingPathComponent("Tests/Schemas")
        let doc = FileManager.default.temporaryDirectory.appendingPathComponent("doc-\(UUID().uuidString).xml")
        try Data(xml).write(to: doc)
        defer { try? FileManager.default.removeItem(at: doc) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        p.arguments = ["--nonet", "--noout", "--schema", schemas.appendingPathComponent(schema).path, doc.path]
        p.currentDirectoryURL = schemas
        p.environment = ["XML_CATALOG_FILES": schemas.appendingPathComponent("catalog.xml").path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let out = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? nil : String(decoding: out, as: UTF8.self)
    }
}

extension Response {
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}
