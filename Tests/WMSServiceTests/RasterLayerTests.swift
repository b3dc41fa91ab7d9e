import Config
import Foundation
import Geo
import ImageCodec
import OGCCore
import Testing
import TileStore
@testable import WMSService

/// Raster layers (WMS-RASTER offerings of ROK4 pyramids): the demo's `france_relief` on `wms-r`, and offered on
/// the vector endpoint `wms-v` to draw it under the communes in one GetMap.
@Suite struct RasterLayerTests {
    static let config = WMSTestSetup.repo.appendingPathComponent("config")

    /// The demo's relief offered on the vector endpoint too.
    static func mixed() async throws -> WMSTestSetup.Env {
        try await WMSTestSetup.env(endpoint: "wms-v") { s in
            s.offerings["relief-on-wms-v"] = Offering(id: "relief-on-wms-v", configuration: "france-relief-wms-r", endpoint: "wms-v")
        }
    }

    /// The centre of pixel (128, 128) of PM tile 10/525/365 and its value as decoded from the tile.
    func knownPoint() throws -> (x: Double, y: Double, rgb: [UInt8]) {
        let pm = try TileMatrixSet.load(Self.config.appendingPathComponent("tilematrixsets/PM.json"))
        let m = try #require(pm.matrix("10"))
        let b = m.bounds(col: 525, row: 365)
        let pyramid = try Pyramid.load(descriptor: Self.config.appendingPathComponent("pyramids/FRANCE_RELIEF_JPG.json").path)
        let reader = PyramidReader(pyramid: pyramid, storage: FileSlabStorage(), indexes: SlabIndexCache())
        let data = try #require(try reader.readTile(level: "10", col: 525, row: 365))
        let tile = try ImageDecoder.decode(data.bytes.readableBytesView)
        return (b.minX + 128.5 * m.cellSize, b.maxY - 128.5 * m.cellSize, Array(tile.pixel(128, 128)))
    }

    func getMap(_ layers: String = "france_relief", crs: String, bbox: String, version: String = "1.3.0", size: Int = 3,
                format: String = "image/png", extra: String = "") -> String {
        "SERVICE=WMS&VERSION=\(version)&REQUEST=GetMap&LAYERS=\(layers)&STYLES=&\(version == "1.1.1" ? "SRS" : "CRS")=\(crs)"
            + "&BBOX=\(bbox)&WIDTH=\(size)&HEIGHT=\(size)&FORMAT=\(format)\(extra)"
    }

    func centrePixel(_ body: [UInt8]) throws -> [UInt8] {
        let img = try ImageDecoder.decode(body)
        return Array(img.pixel(img.width / 2, img.height / 2).prefix(3))
    }

    @Test(arguments: ["EPSG:4326", "EPSG:2154", "EPSG:3857"])
    func getMapGivesTheStoredPixelAtAKnownPoint(crs: String) async throws {
        let env = try await WMSTestSetup.env(endpoint: "wms-r")
        let p = try knownPoint()
        let c = try CoordinateTransformer.make(from: "EPSG:3857", to: crs).transform(Coord(p.x, p.y))
        // A 3×3 image whose centre pixel is centred on the point, about a tenth of a source pixel wide.
        let half = crs == "EPSG:4326" ? 0.000002 : 0.2
        let b = (c.x - half, c.y - half, c.x + half, c.y + half)
        // WMS 1.3.0 EPSG:4326 is latitude first.
        let bbox = crs == "EPSG:4326" ? "\(b.1),\(b.0),\(b.3),\(b.2)" : "\(b.0),\(b.1),\(b.2),\(b.3)"
        let a = try await WMSTestSetup.call(env, getMap(crs: crs, bbox: bbox))
        #expect(a.status == 200, "\(a.text.prefix(400))")
        #expect(a.contentType == "image/png")
        let px = try centrePixel(a.body)
        for (x, e) in zip(px, p.rgb) { #expect(abs(Int(x) - Int(e)) <= 2, "\(crs): \(px) vs \(p.rgb)") }
    }

    @Test func wms111TakesLongitudeFirstAndJPEGWorks() async throws {
        let env = try await WMSTestSetup.env(endpoint: "wms-r")
        let p = try knownPoint()
        let c = try CoordinateTransformer.make(from: "EPSG:3857", to: "EPSG:4326").transform(Coord(p.x, p.y))
        let h = 0.000002
        let a = try await WMSTestSetup.call(env, getMap(crs: "EPSG:4326", bbox: "\(c.x - h),\(c.y - h),\(c.x + h),\(c.y + h)",
                                                        version: "1.1.1", size: 5, format: "image/jpeg"))
        #expect(a.status == 200)
        #expect(a.contentType == "image/jpeg")
        let px = try centrePixel(a.body)
        for (x, e) in zip(px, p.rgb) { #expect(abs(Int(x) - Int(e)) <= 6) }
    }

    @Test func outsideThePyramidIsTheBackgroundOrTransparent() async throws {
        let env = try await WMSTestSetup.env(endpoint: "wms-r")
        let outside = "-1000000,-1000000,-900000,-900000"
        let opaque = try await WMSTestSetup.call(env, getMap(crs: "EPSG:3857", bbox: outside, size: 8, extra: "&BGCOLOR=0x102030"))
        #expect(try centrePixel(opaque.body) == [0x10, 0x20, 0x30])
        let clear = try ImageDecoder.decode(try await WMSTestSetup.call(env, getMap(crs: "EPSG:3857", bbox: outside, size: 8, extra: "&TRANSPARENT=TRUE")).body)
        #expect(clear.channels == 4 && clear.pixel(4, 4).last == 0)
    }

    @Test func transparentMapsAreTransparentOutsideTheDataAndOpaqueInside() async throws {
        let env = try await WMSTestSetup.env(endpoint: "wms-r")
        let p = try knownPoint()
        // 64 px wide, half of it west of the first column (524) of the pyramid's level 10.
        let pm = try TileMatrixSet.load(Self.config.appendingPathComponent("tilematrixsets/PM.json"))
        let m = try #require(pm.matrix("10"))
        let west = m.bounds(col: 524, row: 365).minX
        let res = m.cellSize * 1.5
        let a = try await WMSTestSetup.call(env, getMap(crs: "EPSG:3857", bbox: "\(west - 32 * res),\(p.y - 32 * res),\(west + 32 * res),\(p.y + 32 * res)",
                                                        size: 64, extra: "&TRANSPARENT=TRUE"))
        #expect(a.status == 200)
        let img = try ImageDecoder.decode(a.body)
        #expect(img.channels == 4)
        #expect(img.pixel(4, 32).last == 0, "west of the data: transparent")
        #expect(img.pixel(60, 32).last == 255, "inside the data: opaque")
    }

    @Test func featureInfoReturnsPixelValuesInEveryFormat() async throws {
        let env = try await WMSTestSetup.env(endpoint: "wms-r")
        let p = try knownPoint()
        let h = 0.2
        let q = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=france_relief&QUERY_LAYERS=france_relief&STYLES=&CRS=EPSG:3857"
            + "&BBOX=\(p.x - h),\(p.y - h),\(p.x + h),\(p.y + h)&WIDTH=3&HEIGHT=3&I=1&J=1"
        let a = try await WMSTestSetup.call(env, q + "&INFO_FORMAT=application/json")
        #expect(a.status == 200)
        let json = try JSONSerialization.jsonObject(with: Data(a.body)) as? [String: Any]
        let props = ((json?["features"] as? [[String: Any]])?.first?["properties"]) as? [String: Int]
        #expect(props == ["band_1": Int(p.rgb[0]), "band_2": Int(p.rgb[1]), "band_3": Int(p.rgb[2])])
        let plain = try await WMSTestSetup.call(env, q + "&INFO_FORMAT=text/plain")
        #expect(plain.text.contains("band_1 = \(p.rgb[0])"))
        let html = try await WMSTestSetup.call(env, q + "&INFO_FORMAT=text/html")
        #expect(html.text.contains("<td>\(p.rgb[2])</td>"))
    }

    @Test func capabilitiesListTheRasterLayerAndValidate() async throws {
        let env = try await WMSTestSetup.env(endpoint: "wms-r")
        for v in ["1.3.0", "1.1.1"] {
            let a = try await WMSTestSetup.call(env, "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=\(v)")
            #expect(a.status == 200)
            #expect(a.text.contains("<Name>france_relief</Name>"))
            #expect(a.text.contains("<Layer queryable=\"1\" opaque=\"1\">") || a.text.contains("queryable=\"1\" opaque=\"1\""))
            #expect(try WMSTestSetup.xmllint(a.body, schema: v == "1.3.0" ? "sld/1.1.0/sld_capabilities.xsd" : nil,
                                             dtd: v == "1.1.1" ? "wms/1.1.1/WMS_MS_Capabilities.dtd" : nil) == nil)
        }
    }

    @Test func exceptionsAreThoseOfVectorLayers() async throws {
        let env = try await WMSTestSetup.env(endpoint: "wms-r")
        let crs = try await WMSTestSetup.call(env, getMap(crs: "EPSG:9999999", bbox: "0,0,1,1"))
        #expect(crs.status == 400 && crs.text.contains("InvalidCRS"))
        let style = try await WMSTestSetup.call(env, getMap(crs: "EPSG:3857", bbox: "0,0,1,1").replacingOccurrences(of: "STYLES=", with: "STYLES=fancy"))
        #expect(style.status == 400 && style.text.contains("StyleNotDefined"))
        let transparent = try await WMSTestSetup.call(env, getMap(crs: "EPSG:3857", bbox: "0,0,1,1", extra: "&TRANSPARENT=maybe"))
        #expect(transparent.status == 400 && transparent.text.contains("TRANSPARENT"))
        // EXCEPTIONS=INIMAGE: the error drawn in an image of the requested size.
        let inImage = try await WMSTestSetup.call(env, getMap(crs: "EPSG:9999999", bbox: "0,0,1,1", size: 64, extra: "&EXCEPTIONS=INIMAGE"))
        #expect(inImage.status == 200 && inImage.contentType == "image/png")
        let legend = try await WMSTestSetup.call(env, "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=france_relief&FORMAT=image/png")
        #expect(legend.status == 400)
    }

    @Test func oneGetMapDrawsTheReliefUnderTheDepartmentBorders() async throws {
        let env = try await Self.mixed()
        // The departments outlined in black (no fill) over the relief, around Lyon.
        let sld = """
            <StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
            <NamedLayer><Name>departements</Name><UserStyle><FeatureTypeStyle><Rule><PolygonSymbolizer><Stroke>
            <CssParameter name="stroke">#000000</CssParameter><CssParameter name="stroke-width">2</CssParameter>
            </Stroke></PolygonSymbolizer></Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
            """
        let body = sld.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let box = "300000,5500000,800000,6000000"
        let mixed = try await WMSTestSetup.image(env, getMap("france_relief,france_admin", crs: "EPSG:3857", bbox: box, size: 128,
                                                             extra: "&SLD_BODY=" + body))
        let relief = try await WMSTestSetup.image(env, getMap("france_relief", crs: "EPSG:3857", bbox: box, size: 128))
        var same = 0, black = 0
        for y in 0..<128 {
            for x in 0..<128 {
                let m = mixed.rgba(x, y), r = relief.rgba(x, y)
                if abs(m.r - r.r) + abs(m.g - r.g) + abs(m.b - r.b) <= 6 { same += 1 }
                if m.r + m.g + m.b < 60 && r.r + r.g + r.b > 200 { black += 1 }
            }
        }
        #expect(same > 128 * 128 / 2, "the relief shows under the borders (\(same) pixels)")
        #expect(black > 200, "the borders are drawn over the relief (\(black) pixels)")
        // Both kinds in the capabilities of the endpoint.
        let caps = try await WMSTestSetup.call(env, "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        #expect(caps.text.contains("<Name>france_relief</Name>") && caps.text.contains("<Name>france_admin</Name>"))
        #expect(try WMSTestSetup.xmllint(caps.body, schema: "sld/1.1.0/sld_capabilities.xsd") == nil)
    }
}
