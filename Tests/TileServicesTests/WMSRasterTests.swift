import Foundation
import Geo
import ImageCodec
import OGCCore
import ServiceKit
import Testing
import TileServices
import TileStore

@Suite struct WMSRasterTests {
    let service = WMSRasterService(registry: TestSetup.registry)

    func ctx() throws -> ServiceContext { try TestSetup.context(endpoint: "wms-r", urlType: "WMS") }

    /// The centre of pixel (128, 128) of PM tile 10/525/365 and its value as decoded from the tile.
    func knownPoint() throws -> (x: Double, y: Double, rgb: [UInt8]) {
        let pm = try TileMatrixSet.load(TestSetup.fixtures.appendingPathComponent("tilematrixsets/PM.json"))
        let m = try #require(pm.matrix("10"))
        let b = m.bounds(col: 525, row: 365)
        let tile = try ImageDecoder.decode(try #require(try TestSetup.storeTile("FRANCE_RELIEF_JPG", "10", 525, 365)))
        return (b.minX + 128.5 * m.cellSize, b.maxY - 128.5 * m.cellSize, Array(tile.pixel(128, 128)))
    }

    func getMap(crs: String, bbox: String, version: String = "1.3.0", size: Int = 3, format: String = "image/png") -> OGCRequest {
        TestSetup.request("", [("SERVICE", "WMS"), ("VERSION", version), ("REQUEST", "GetMap"), ("LAYERS", "relief"), ("STYLES", ""),
                               (version == "1.1.1" ? "SRS" : "CRS", crs), ("BBOX", bbox), ("WIDTH", String(size)),
                               ("HEIGHT", String(size)), ("FORMAT", format)], endpoint: "http://example.org/wms-r")
    }

    func centrePixel(_ body: [UInt8]) throws -> [UInt8] {
        let img = try ImageDecoder.decode(body)
        return Array(img.pixel(img.width / 2, img.height / 2).prefix(3))
    }

    @Test(arguments: ["EPSG:4326", "EPSG:2154", "EPSG:3857"])
    func getMapGivesTheStoredPixelAtAKnownPoint(crs: String) async throws {
        let p = try knownPoint()
        let t = try CoordinateTransformer.make(from: "EPSG:3857", to: crs)
        let c = try t.transform(Coord(p.x, p.y))
        // A 3×3 image whose centre pixel is centred on the point, about a tenth of a source pixel wide.
        let half = crs == "EPSG:4326" ? 0.000002 : 0.2
        let b = (c.x - half, c.y - half, c.x + half, c.y + half)
        // WMS 1.3.0 EPSG:4326 is latitude first.
        let bbox = crs == "EPSG:4326" ? "\(b.1),\(b.0),\(b.3),\(b.2)" : "\(b.0),\(b.1),\(b.2),\(b.3)"
        let (r, body) = try await TestSetup.call(service, getMap(crs: crs, bbox: bbox), try ctx())
        #expect(r.status == .ok, "\(String(decoding: body.prefix(400), as: UTF8.self))")
        #expect(r.header("Content-Type") == "image/png")
        let px = try centrePixel(body)
        for (a, e) in zip(px, p.rgb) { #expect(abs(Int(a) - Int(e)) <= 2, "\(crs): \(px) vs \(p.rgb)") }
    }

    @Test func wms111TakesLongitudeFirstAndJPEGWorks() async throws {
        let p = try knownPoint()
        let c = try CoordinateTransformer.make(from: "EPSG:3857", to: "EPSG:4326").transform(Coord(p.x, p.y))
        let h = 0.000002
        let (r, body) = try await TestSetup.call(service, getMap(crs: "EPSG:4326", bbox: "\(c.x - h),\(c.y - h),\(c.x + h),\(c.y + h)",
                                                                 version: "1.1.1", size: 5, format: "image/jpeg"), try ctx())
        #expect(r.status == .ok)
        #expect(r.header("Content-Type") == "image/jpeg")
        let px = try centrePixel(body)
        for (a, e) in zip(px, p.rgb) { #expect(abs(Int(a) - Int(e)) <= 6) }
    }

    @Test func outsideThePyramidIsBackground() async throws {
        let (r, body) = try await TestSetup.call(service, getMap(crs: "EPSG:3857", bbox: "-1000000,-1000000,-900000,-900000", size: 8), try ctx())
        #expect(r.status == .ok)
        #expect(try centrePixel(body) == [255, 255, 255])
    }

    @Test func transparentMapsAreTransparentOutsideTheDataAndOpaqueInside() async throws {
        let p = try knownPoint()
        // 64 px wide, half of it west of the first column (524) of the pyramid's level 10.
        let pm = try TileMatrixSet.load(TestSetup.fixtures.appendingPathComponent("tilematrixsets/PM.json"))
        let m = try #require(pm.matrix("10"))
        let west = m.bounds(col: 524, row: 365).minX
        let res = m.cellSize * 1.5
        var req = getMap(crs: "EPSG:3857", bbox: "\(west - 32 * res),\(p.y - 32 * res),\(west + 32 * res),\(p.y + 32 * res)", size: 64)
        req.kvp.set("TRANSPARENT", "TRUE")
        let (r, body) = try await TestSetup.call(service, req, try ctx())
        #expect(r.status == .ok)
        let img = try ImageDecoder.decode(body)
        #expect(img.channels == 4)
        #expect(img.pixel(4, 32).last == 0, "west of the data: transparent")
        #expect(img.pixel(60, 32).last == 255, "inside the data: opaque")
    }

    @Test func featureInfoReturnsPixelValues() async throws {
        let p = try knownPoint()
        let h = 0.2
        let req = TestSetup.request("", [("SERVICE", "WMS"), ("VERSION", "1.3.0"), ("REQUEST", "GetFeatureInfo"), ("LAYERS", "relief"),
                                         ("QUERY_LAYERS", "relief"), ("STYLES", ""), ("CRS", "EPSG:3857"),
                                         ("BBOX", "\(p.x - h),\(p.y - h),\(p.x + h),\(p.y + h)"), ("WIDTH", "3"), ("HEIGHT", "3"),
                                         ("I", "1"), ("J", "1"), ("INFO_FORMAT", "application/json")])
        let (r, body) = try await TestSetup.call(service, req, try ctx())
        #expect(r.status == .ok)
        let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let props = ((json?["features"] as? [[String: Any]])?.first?["properties"]) as? [String: Int]
        #expect(props == ["band_1": Int(p.rgb[0]), "band_2": Int(p.rgb[1]), "band_3": Int(p.rgb[2])])
    }

    @Test func capabilitiesValidate() async throws {
        for v in ["1.3.0", "1.1.1"] {
            let (r, body) = try await TestSetup.call(service, TestSetup.request("", [("SERVICE", "WMS"), ("REQUEST", "GetCapabilities"), ("VERSION", v)]), try ctx())
            #expect(r.status == .ok)
            let xml = String(decoding: body, as: UTF8.self)
            #expect(xml.contains("<Name>relief</Name>"))
            if v == "1.3.0" {
                #expect(try TestSetup.validate(body, schema: "schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd") == nil)
            }
        }
    }

    @Test func exceptions() async throws {
        let (r, body) = try await TestSetup.call(service, getMap(crs: "EPSG:9999999", bbox: "0,0,1,1"), try ctx())
        #expect(r.status == .badRequest)
        #expect(String(decoding: body, as: UTF8.self).contains("InvalidCRS"))
        let (r2, body2) = try await TestSetup.call(service, TestSetup.request("", [("SERVICE", "WMS"), ("VERSION", "1.1.1"), ("REQUEST", "GetMap"),
            ("LAYERS", "nope"), ("SRS", "EPSG:3857"), ("BBOX", "0,0,1,1"), ("WIDTH", "1"), ("HEIGHT", "1"), ("FORMAT", "image/png")]), try ctx())
        #expect(r2.status == .badRequest)
        #expect(String(decoding: body2, as: UTF8.self).contains("LayerNotDefined"))
    }
}
