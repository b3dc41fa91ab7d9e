import ImageCodec
import Foundation
import Hummingbird
import OGCCore
import ServiceKit
import Testing
import TileServices
import TileStore

@Suite struct TMSTests {
    let service = TMSService(registry: TestSetup.registry)

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> (Response, [UInt8]) {
        try await TestSetup.call(service, TestSetup.request(path, headers: headers, endpoint: "http://example.org/tms/1.0.0"),
                                 TestSetup.context(urlType: "TMS"))
    }

    @Test func rootListsEveryLayer() async throws {
        let (r, body) = try await get("")
        #expect(r.status == .ok)
        let xml = String(decoding: body, as: UTF8.self)
        for l in ["relief", "rhone_rgba", "rhone_admin"] { #expect(xml.contains("href=\"http://example.org/tms/1.0.0/\(l)\"")) }
        #expect(xml.contains("extension=\"pbf\""))
    }

    @Test func tileMapIsConsistentWithXYZ() async throws {
        let (r, body) = try await get("/relief")
        #expect(r.status == .ok)
        let xml = String(decoding: body, as: UTF8.self)
        #expect(xml.contains("<Origin x=\"-20037508.3427892\" y=\"20037508.3427892\"/>"))
        #expect(xml.contains("mime-type=\"image/jpeg\" extension=\"jpeg\""))
        #expect(xml.contains("href=\"http://example.org/tms/1.0.0/relief/10\""))
        #expect(xml.contains("minrow=\"363\" maxrow=\"366\" mincol=\"524\" maxcol=\"526\""))
    }

    @Test func tilesAreXYZAndByteIdentical() async throws {
        let expected = try #require(try TestSetup.storeTile("FRANCE_RELIEF_JPG", "10", 524, 365))
        let (r, body) = try await get("/relief/10/524/365.jpeg")
        #expect(r.status == .ok)
        #expect(body == expected)
        let (png, pngBody) = try await get("/rhone_rgba/9/262/182.png")
        #expect(png.status == .ok)
        #expect(png.header("Content-Type") == "image/png")
        #expect(pngBody == (try TestSetup.storeTile("RHONE_RGBA_PNG", "9", 262, 182)))
    }

    @Test func vectorTilesAreProtobufWithoutContentEncoding() async throws {
        let expected = try #require(try TestSetup.storeTile("RHONE_ADMIN_MVT", "11", 1050, 727))
        let (r, body) = try await get("/rhone_admin/11/1050/727.pbf")
        #expect(r.status == .ok)
        #expect(r.header("Content-Type") == "application/x-protobuf")
        #expect(r.header("Content-Encoding") == nil)
        #expect(body == expected)
        // An MVT starts with field 3 (layer), wire type 2: 0x1a.
        #expect(body.first == 0x1a)
    }

    @Test func gzippedTilesSayTheirEncoding() async throws {
        // A copy of the vector pyramid whose one tile is replaced by gzip bytes (same slab layout).
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tms-gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = TestSetup.fixtures.appendingPathComponent("rok4/pyramids")
        try FileManager.default.copyItem(at: src.appendingPathComponent("RHONE_ADMIN_MVT.json"), to: dir.appendingPathComponent("RHONE_ADMIN_MVT.json"))
        try FileManager.default.copyItem(at: src.appendingPathComponent("RHONE_ADMIN_MVT"), to: dir.appendingPathComponent("RHONE_ADMIN_MVT"))
        let p = try Pyramid.load(descriptor: dir.appendingPathComponent("RHONE_ADMIN_MVT.json").path)
        let reader = PyramidReader(pyramid: p, storage: FileSlabStorage(), indexes: SlabIndexCache())
        let loc = reader.location(level: p.level("11")!, col: 1050, row: 727)
        let tile = try #require(try reader.readTile(level: "11", col: 1050, row: 727))
        let fh = try FileHandle(forWritingTo: URL(fileURLWithPath: loc.key))
        try fh.seek(toOffset: UInt64(tile.offset))
        try fh.write(contentsOf: Data([0x1f, 0x8b]))
        try fh.close()
        var snap = TestSetup.snapshot()
        snap.storedData["RHONE_ADMIN_MVT"]!.storage.path = dir.appendingPathComponent("RHONE_ADMIN_MVT.json").path
        let (r, _) = try await TestSetup.call(TMSService(registry: TileStoreRegistry()),
                                              TestSetup.request("/rhone_admin/11/1050/727.pbf"), TestSetup.context(snapshot: snap))
        #expect(r.status == .ok)
        #expect(r.header("Content-Encoding") == "gzip")
    }

    /// A tile of the matrix without data is a tile of the pyramid's nodata value (white here), so that clients
    /// do not log an error per tile; vector tiles are 204; `missing_tiles: "404"` keeps ROK4's answer.
    @Test func tilesWithoutDataAreNodataTiles() async throws {
        for (path, comment) in [("/relief/10/526/363.jpeg", "missing slab"), ("/relief/7/62/42.jpeg", "empty tile"),
                                ("/relief/10/0/0.jpeg", "outside the limits")] {
            let (r, body) = try await get(path)
            #expect(r.status == .ok && r.header("Content-Type") == "image/jpeg", "\(comment)")
            let image = try ImageDecoder.decode(body)
            #expect(image.width == 256 && image.height == 256, "\(comment)")
            #expect(image.pixels.allSatisfy { $0 >= 250 }, "\(comment): the nodata value is white")
        }
        let (v, vBody) = try await get("/rhone_admin/12/0/0.pbf")
        #expect(v.status == .noContent && vBody.isEmpty)

        var snap = TestSetup.snapshot()
        for id in snap.configurations.keys { snap.configurations[id]!.typeInfos.missingTiles = "404" }
        let (r404, _) = try await TestSetup.call(TMSService(registry: TileStoreRegistry()), TestSetup.request("/relief/10/526/363.jpeg", endpoint: "http://example.org/tms/1.0.0"),
                                                 TestSetup.context(urlType: "TMS", snapshot: snap))
        #expect(r404.status == .notFound)
    }

    @Test func noDataAndErrors() async throws {
        #expect(try await get("/relief/10/5000/0.jpeg").0.status == .badRequest, "outside the matrix")
        #expect(try await get("/relief/10/524/365.png").0.status == .badRequest, "wrong extension")
        #expect(try await get("/nope/10/524/365.jpeg").0.status == .notFound, "unknown layer")
        #expect(try await get("/relief/../../etc/passwd").0.status == .badRequest)
        #expect(try await get("/relief/10/%2e%2e/365.jpeg").0.status == .badRequest)
    }

    @Test func tileJSONForVectorLayers() async throws {
        for path in ["/rhone_admin/metadata.json", "/rhone_admin.json"] {
            let (r, body) = try await get(path)
            #expect(r.status == .ok)
            let j = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(j["tiles"] as? [String] == ["http://example.org/tms/1.0.0/rhone_admin/{z}/{x}/{y}.pbf"])
            #expect(j["minzoom"] as? Int == 5)
            #expect(j["maxzoom"] as? Int == 12)
            #expect(j["scheme"] as? String == "xyz")
            let layers = try #require(j["vector_layers"] as? [[String: Any]])
            let byID = Dictionary(uniqueKeysWithValues: layers.map { ($0["id"] as! String, $0) })
            #expect(byID["departements"]?["minzoom"] as? Int == 5)
            #expect(byID["communes"]?["minzoom"] as? Int == 8)
            #expect((byID["communes"]?["fields"] as? [String: String])?["code"] != nil)
            let bounds = try #require(j["bounds"] as? [Double])
            // Departement 69 is around 4.2..5.2 E, 45.4..46.3 N.
            #expect(bounds[0] > 3.5 && bounds[0] < 4.6 && bounds[2] > 4.8 && bounds[2] < 5.6)
            #expect(bounds[1] > 45 && bounds[3] < 46.7)
        }
    }
}
