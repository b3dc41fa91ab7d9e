import ImageCodec
import Testing

/// GetMap against the demo GeoPackage with the demo SLDs (styles/*.sld), checking decoded pixels.
@Suite struct GetMapPixelTests {
    static let base = "SERVICE=WMS&REQUEST=GetMap&LAYERS=france_admin&STYLES=&FORMAT=image/png"

    @Test func parisIsFilledWithItsRuleColour() async throws {
        let env = try await WMSTestSetup.env()
        // 1.3.0 EPSG:4326: BBOX is lat,lon. 0.0005°/px; scale ≈ 1:199 000 (communes drawn, no labels).
        let img = try await WMSTestSetup.image(env, Self.base + "&VERSION=1.3.0&CRS=EPSG:4326&BBOX=48.80,2.20,48.92,2.48&WIDTH=560&HEIGHT=240")
        #expect(img.width == 560 && img.height == 240)
        // (2.35, 48.86), in the middle of Paris: the "paris" rule (departement = '75') fill.
        #expect(holds(img.isColour(300, 120, 0xD7301F)), "\(img.rgba(300, 120))")
        // (2.44, 48.90), Montreuil side of the périphérique (93): the ElseFilter rule fill.
        #expect(holds(img.isColour(Int((2.455 - 2.20) / 0.0005), Int((48.92 - 48.87) / 0.0005), 0xFEE090)), "\(img.rgba(510, 100))")
    }

    @Test func axisOrderOf4326DiffersBetweenVersions() async throws {
        let env = try await WMSTestSetup.env()
        let v13 = try await WMSTestSetup.call(env, Self.base + "&VERSION=1.3.0&CRS=EPSG:4326&BBOX=48.80,2.20,48.92,2.48&WIDTH=280&HEIGHT=120")
        let v11 = try await WMSTestSetup.call(env, Self.base + "&VERSION=1.1.1&SRS=EPSG:4326&BBOX=2.20,48.80,2.48,48.92&WIDTH=280&HEIGHT=120")
        #expect(v13.contentType == "image/png" && v11.contentType == "image/png")
        #expect(v13.body == v11.body)
        // The 1.3.0 order given to 1.1.1 is another place entirely (an empty, sea-coloured... white map).
        let swapped = try await WMSTestSetup.call(env, Self.base + "&VERSION=1.1.1&SRS=EPSG:4326&BBOX=48.80,2.20,48.92,2.48&WIDTH=280&HEIGHT=120")
        #expect(swapped.body != v13.body)
        // CRS:84 in 1.3.0 is longitude first.
        let crs84 = try await WMSTestSetup.call(env, Self.base + "&VERSION=1.3.0&CRS=CRS:84&BBOX=2.20,48.80,2.48,48.92&WIDTH=280&HEIGHT=120")
        #expect(crs84.body == v13.body)
    }

    @Test func backgroundTransparentOrColoured() async throws {
        let env = try await WMSTestSetup.env()
        // (1.8, 48.8) is in the Yvelines: no demo commune there, and no boundary at this point.
        let q = Self.base + "&VERSION=1.1.1&SRS=EPSG:4326&BBOX=1.6,48.6,2.6,49.0&WIDTH=500&HEIGHT=200"
        let x = Int((1.8 - 1.6) / 0.002), y = Int((49.0 - 48.8) / 0.002)
        let transparent = try await WMSTestSetup.image(env, q + "&TRANSPARENT=TRUE")
        #expect(holds(transparent.rgba(x, y).a == 0))
        #expect(holds(transparent.isColour(Int((2.35 - 1.6) / 0.002), Int((49.0 - 48.86) / 0.002), 0xD7301F)))
        let green = try await WMSTestSetup.image(env, q + "&BGCOLOR=0x00FF00")
        #expect(holds(green.isColour(x, y, 0x00FF00, tol: 0) && green.rgba(x, y).a == 255))
    }

    @Test func reprojectsTo3857And2154() async throws {
        let env = try await WMSTestSetup.env()
        // Paris (2.3522, 48.8566) is (261845.7, 6250564.35) in EPSG:3857 and (652469.02, 6862035.26) in EPSG:2154.
        let m = try await WMSTestSetup.image(env, Self.base + "&VERSION=1.3.0&CRS=EPSG:3857&BBOX=256845.7,6245564.35,266845.7,6255564.35&WIDTH=200&HEIGHT=200")
        #expect(holds(m.isColour(100, 100, 0xD7301F)), "\(m.rgba(100, 100))")
        let l = try await WMSTestSetup.image(env, Self.base + "&VERSION=1.3.0&CRS=EPSG:2154&BBOX=647469.02,6857035.26,657469.02,6867035.26&WIDTH=200&HEIGHT=200")
        #expect(holds(l.isColour(100, 100, 0xD7301F)), "\(l.rgba(100, 100))")
        // Outside France in 3857 (mid-Atlantic): nothing drawn.
        let sea = try await WMSTestSetup.image(env, Self.base + "&VERSION=1.3.0&CRS=EPSG:3857&BBOX=-3000000,5000000,-2000000,6000000&WIDTH=64&HEIGHT=64&TRANSPARENT=TRUE")
        #expect(holds(sea.pixels.enumerated().allSatisfy { $0.offset % 4 != 3 || $0.element == 0 }))
    }

    @Test func ruleFilterSelectsTheRhone() async throws {
        let env = try await WMSTestSetup.env()
        // Country scale (≥ 1:3M): departements filled, code = '69' in blue, the others beige.
        let img = try await WMSTestSetup.image(env, Self.base + "&VERSION=1.1.1&SRS=EPSG:4326&BBOX=3.5,45.0,6.0,47.0&WIDTH=250&HEIGHT=200")
        let px = { (lon: Double, lat: Double) in (Int((lon - 3.5) / 0.01), Int((47.0 - lat) / 0.01)) }
        // Points away from the département labels (drawn at this scale).
        let rhone = px(4.45, 46.05), ain = px(5.6, 46.25)
        let rhoneColour = img.rgba(rhone.0, rhone.1), ainColour = img.rgba(ain.0, ain.1)
        #expect(holds(img.isColour(rhone.0, rhone.1, 0x6BAED6)), "\(rhoneColour)")
        #expect(holds(img.isColour(ain.0, ain.1, 0xF0EAD6)), "\(ainColour)")
    }

    @Test func labelsShowAtLargeScalesOnly() async throws {
        let env = try await WMSTestSetup.env()
        func darkPixels(_ q: String) async throws -> Int {
            let img = try await WMSTestSetup.image(env, Self.base + "&VERSION=1.1.1&SRS=EPSG:4326&" + q)
            var n = 0
            for y in 0..<img.height { for x in 0..<img.width {
                let c = img.rgba(x, y)
                if c.r < 40 && c.g < 40 && c.b < 40 && c.a > 200 { n += 1 }
            } }
            return n
        }
        // Around Lyon at ≈ 1:116 000 (labels below 1:150 000), then ≈ 1:388 000.
        let large = try await darkPixels("BBOX=4.77,45.70,4.92,45.81&WIDTH=512&HEIGHT=375")
        let small = try await darkPixels("BBOX=4.6,45.55,5.1,45.95&WIDTH=512&HEIGHT=410")
        #expect(large > 50)
        #expect(small == 0)
    }

    /// Zoomed into Lyon (≈ 1:14 000), far from the interior point of the whole commune: its name is drawn on the
    /// visible part, as MapServer and QGIS Server do; with TILED=true labels stay on whole geometries (none here).
    @Test func labelsGoOnTheVisiblePartUnlessTiled() async throws {
        let env = try await WMSTestSetup.env()
        func darkPixels(_ tiled: Bool) async throws -> Int {
            let img = try await WMSTestSetup.image(env, Self.base + "&VERSION=1.1.1&SRS=EPSG:4326&BBOX=4.855,45.738,4.885,45.756&WIDTH=512&HEIGHT=440&TILED=\(tiled)")
            var n = 0
            for y in 0..<img.height { for x in 0..<img.width {
                let c = img.rgba(x, y)
                if c.r < 40 && c.g < 40 && c.b < 40 && c.a > 200 { n += 1 }
            } }
            return n
        }
        #expect(try await darkPixels(false) > 15)
        #expect(try await darkPixels(true) == 0)
    }

    /// With TILED=true two adjacent tiles draw the labels around their shared edge as one image covering both
    /// does: each label whole on both sides (a name cut by the edge is not lost on one side), none moved or
    /// dropped on one side only. Around Lyon at ≈ 1:116 000, where the communes are named. (Without TILED, each
    /// tile labels its own visible parts: 235 pixels differ near the edge, for 230-odd label pixels.)
    @Test func tiledLabelsAgreeAcrossTheTileEdge() async throws {
        let env = try await WMSTestSetup.env()
        func image(_ west: Double, _ east: Double, width: Int) async throws -> RasterImage {
            try await WMSTestSetup.image(env, Self.base + "&VERSION=1.1.1&SRS=EPSG:4326&BBOX=\(west),45.70,\(east),45.81&WIDTH=\(width)&HEIGHT=375&TILED=true")
        }
        let whole = try await image(4.77, 4.92, width: 512)
        let left = try await image(4.77, 4.845, width: 256), right = try await image(4.845, 4.92, width: 256)
        func dark(_ img: RasterImage, _ x: Int, _ y: Int) -> Bool {
            let c = img.rgba(x, y)
            return c.r < 60 && c.g < 60 && c.b < 60 && c.a > 200
        }
        var inWhole = 0, differing = 0, onTheEdge = 0
        for y in 0..<375 {
            for x in 256 - 48..<256 + 48 {
                let a = dark(whole, x, y), b = x < 256 ? dark(left, x, y) : dark(right, x - 256, y)
                if a { inWhole += 1 }
                if a != b { differing += 1 }
                if a && (x == 255 || x == 256) { onTheEdge += 1 }
            }
        }
        #expect(inWhole > 40, "no label near the tiles' shared edge: the test shows nothing")
        #expect(onTheEdge > 0, "no label crosses the shared edge: the test shows nothing")
        #expect(differing <= inWhole / 20, "\(differing) of \(inWhole) label pixels differ between the tiles and the whole image")
    }

    @Test func strokeIsOnTheBorder() async throws {
        let env = try await WMSTestSetup.env()
        let sld = """
        <StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
          <NamedLayer><Name>departements</Name><UserStyle><FeatureTypeStyle><Rule>
            <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code</ogc:PropertyName><ogc:Literal>75</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
            <PolygonSymbolizer>
              <Fill><CssParameter name="fill">#FF0000</CssParameter></Fill>
              <Stroke><CssParameter name="stroke">#0000FF</CssParameter><CssParameter name="stroke-width">3</CssParameter></Stroke>
            </PolygonSymbolizer>
          </Rule></FeatureTypeStyle></UserStyle></NamedLayer>
          <NamedLayer><Name>communes</Name><UserStyle><FeatureTypeStyle><Rule><MaxScaleDenominator>1</MaxScaleDenominator>
            <LineSymbolizer/></Rule></FeatureTypeStyle></UserStyle></NamedLayer>
          <NamedLayer><Name>regions</Name><UserStyle><FeatureTypeStyle><Rule><MaxScaleDenominator>1</MaxScaleDenominator>
            <LineSymbolizer/></Rule></FeatureTypeStyle></UserStyle></NamedLayer>
        </StyledLayerDescriptor>
        """
        let img = try await WMSTestSetup.image(env, "SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=france_admin&FORMAT=image/png&SRS=EPSG:4326"
            + "&BBOX=2.20,48.80,2.48,48.92&WIDTH=560&HEIGHT=240&SLD_BODY=" + KVPEncode.encode(sld))
        // Along the parallel 48.86, from the west: white, then the blue border stroke, then red Paris.
        let row = Int((48.92 - 48.86) / 0.0005)
        let firstBlue = (0..<560).first { img.isColour($0, row, 0x0000FF, tol: 40) }
        let firstRed = (0..<560).first { img.isColour($0, row, 0xFF0000, tol: 40) }
        let blue = try require(firstBlue, "blue stroke"), red = try require(firstRed, "red fill")
        #expect(holds(img.isColour(2, row, 0xFFFFFF, tol: 0)))
        #expect(blue < red && red - blue <= 4, "stroke at \(blue), fill from \(red)")
        // Paris' westernmost point (Bois de Boulogne) is near 2.2242°E: the border stroke is drawn there.
        #expect(abs(Double(blue) * 0.0005 + 2.20 - 2.2242) < 0.03, "border at \(Double(blue) * 0.0005 + 2.20)")
    }

    @Test func outputFormats() async throws {
        let env = try await WMSTestSetup.env()
        let q = "SERVICE=WMS&REQUEST=GetMap&LAYERS=france_admin&STYLES=&VERSION=1.3.0&CRS=EPSG:4326&BBOX=48.80,2.20,48.92,2.48&WIDTH=280&HEIGHT=120"
        let png8 = try await WMSTestSetup.call(env, q + "&FORMAT=" + KVPEncode.encode("image/png; mode=8bit"))
        #expect(png8.contentType == "image/png; mode=8bit" && png8.body[25] == 3)
        let p8 = try require(TestImageDecoder.decode(png8.body))
        #expect(holds(p8.isColour(150, 60, 0xD7301F, tol: 20)))
        let jpeg = try await WMSTestSetup.call(env, q + "&FORMAT=image/jpeg")
        #expect(jpeg.contentType == "image/jpeg" && jpeg.body.prefix(2) == [0xFF, 0xD8])
        let j = try require(TestImageDecoder.decode(jpeg.body))
        #expect(holds(j.isColour(150, 60, 0xD7301F, tol: 30)))
        if ImageEncoder.availableFormats.contains(.webp) {
            let webp = try await WMSTestSetup.call(env, q + "&FORMAT=image/webp")
            #expect(webp.contentType == "image/webp")
        }
    }
}

enum KVPEncode {
    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"): out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += String(format: "%%%02X", b)
            }
        }
        return out
    }
}

import Foundation
