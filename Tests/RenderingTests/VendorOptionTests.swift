import OGCCore
import Rendering
import Styling
import Testing

/// The GeoServer vendor options QGIS writes are read without warnings; unknown ones are still reported.
@Suite struct VendorOptionTests {
    static func parse(_ body: String) throws -> (StyledLayerDescriptor, [String]) {
        let (sld, warnings, _) = try parseWithNotes(body)
        return (sld, warnings)
    }

    static func parseWithNotes(_ body: String) throws -> (StyledLayerDescriptor, [String], [String]) {
        var p = SLDParser()
        let sld = try p.parse(Array("""
            <StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">
            <NamedLayer><se:Name>t</se:Name><UserStyle><se:FeatureTypeStyle><se:Rule>\(body)</se:Rule></se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
            """.utf8))
        return (sld, p.warnings, p.notes)
    }

    @Test func qgisTextVendorOptionsAreKept() throws {
        let options = ["maxDisplacement": "1", "repeat": "200", "followLine": "true", "maxAngleDelta": "25", "spaceAround": "5",
                       "autoWrap": "80", "group": "yes", "conflictResolution": "false", "goodnessOfFit": "0.3", "labelAllGroup": "true"]
        let (sld, warnings, notes) = try Self.parseWithNotes("""
            <se:TextSymbolizer><se:Label><ogc:PropertyName>nom</ogc:PropertyName></se:Label>
            \(options.map { "<se:VendorOption name=\"\($0.key)\">\($0.value)</se:VendorOption>" }.joined())
            <se:VendorOption name="noSuchOption">1</se:VendorOption></se:TextSymbolizer>
            """)
        #expect(warnings == ["vendor option noSuchOption of TextSymbolizer ignored"])
        // Those the placer does not act on are noted, by name; followLine and maxAngleDelta are acted on.
        let noted = Set(notes.compactMap { $0.split(separator: " ").dropFirst(3).first.map(String.init) })
        #expect(noted == Set(options.keys).subtracting(["followLine", "maxAngleDelta"]), "\(notes)")
        #expect(notes.contains("TextSymbolizer vendor option repeat (200) is not acted on"))
        guard case .text(let t) = sld.layers[0].defaultStyle?.rules[0].symbolizers[0] else { Issue.record("no text"); return }
        #expect(t.vendorOptions == options)
    }

    @Test func graphicMarginSetsTheFillTile() throws {
        let (sld, warnings) = try Self.parse("""
            <se:PolygonSymbolizer><se:Fill><se:GraphicFill><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName></se:Mark><se:Size>4</se:Size></se:Graphic></se:GraphicFill></se:Fill>
            <se:VendorOption name="graphic-margin">2 6</se:VendorOption></se:PolygonSymbolizer>
            """)
        #expect(warnings.isEmpty, "\(warnings)")
        guard case .polygon(let p) = sld.layers[0].defaultStyle?.rules[0].symbolizers[0] else { Issue.record("no polygon"); return }
        #expect(p.graphicMargin == GraphicMargin(top: 2, right: 6, bottom: 2, left: 6))
    }

    @Test func graphicMarginIsDrawn() throws {
        // A 4 px square with 8 px margins left and right: one every 20 px across, every 4 px down.
        let a = try RenderedMap("""
            <se:PolygonSymbolizer><se:Fill><se:GraphicFill><se:Graphic><se:Mark><se:WellKnownName>square</se:WellKnownName>
            <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill></se:Mark><se:Size>4</se:Size></se:Graphic></se:GraphicFill></se:Fill>
            <se:VendorOption name="graphic-margin">0 8</se:VendorOption></se:PolygonSymbolizer>
            """, features: [TestFeatures.polygon([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)])])
        #expect(a.inkedColumns(atY: 50) == [8, 9, 10, 11, 28, 29, 30, 31, 48, 49, 50, 51, 68, 69, 70, 71, 88, 89, 90, 91])
    }

    @Test func otherVendorOptionsAreNotedNotWarned() throws {
        let (_, warnings, notes) = try Self.parseWithNotes("""
            <se:LineSymbolizer><se:Stroke/><se:VendorOption name="placement">points</se:VendorOption><se:VendorOption name="composite">multiply</se:VendorOption></se:LineSymbolizer>
            <se:PointSymbolizer><se:Graphic/><se:VendorOption name="labelObstacle">true</se:VendorOption></se:PointSymbolizer>
            """)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(notes == ["LineSymbolizer vendor option composite (multiply) is not acted on",
                          "PointSymbolizer vendor option labelObstacle (true) is not acted on"])
    }
}
