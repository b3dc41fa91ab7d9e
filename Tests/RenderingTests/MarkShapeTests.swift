import OGCCore
import Rendering
import Styling
import Testing

/// The simple marker shapes QGIS's SLD export names (diamond, pentagon, hexagon, octagon; cross2 for GeoServer's
/// x, cross_fill, equilateral_triangle, line) are drawn, not replaced by a square with a warning.
@Suite struct MarkShapeTests {
    static func mark(_ name: String) -> String {
        """
        <se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>\(name)</se:WellKnownName>
          <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill></se:Mark><se:Size>40</se:Size></se:Graphic></se:PointSymbolizer>
        """
    }

    @Test func qgisNamesAreKnown() throws {
        for name in ["diamond", "pentagon", "hexagon", "octagon", "cross2", "cross_fill", "equilateral_triangle", "line"] {
            let a = try RenderedMap(Self.mark(name), features: [TestFeatures.point(50, 50)])
            #expect(a.warnings.isEmpty, "\(name): \(a.warnings)")
        }
        #expect(MarkShape(wellKnownName: "cross2") == .x && MarkShape(wellKnownName: "line") == .vertline)
    }

    @Test func diamondsAndPolygonsAreNotSquares() throws {
        // A 40 px square fills the corners of its box (pixel 50 ± 18); a diamond, pentagon or hexagon leaves the
        // top corners empty, all fill their middle.
        let square = try RenderedMap(Self.mark("square"), features: [TestFeatures.point(50, 50)])
        #expect(square.ink(33, 33) > 600)
        for name in ["diamond", "pentagon", "hexagon", "octagon"] {
            let a = try RenderedMap(Self.mark(name), features: [TestFeatures.point(50, 50)])
            #expect(a.ink(50, 50) > 600 && a.ink(50, 34) > 600, "\(name)")
            #expect(a.ink(33, 33) < 100 && a.ink(67, 33) < 100, "\(name)")
        }
        // The diamond's corners are on the axes: its left and right ends at 50 ± 20 on the middle row.
        let d = try RenderedMap(Self.mark("diamond"), features: [TestFeatures.point(50, 50)])
        #expect(d.inkedColumns(atY: 50).first == 30 && d.inkedColumns(atY: 50).last == 69, "\(d.inkedColumns(atY: 50))")
    }

    static func fontMark(_ markIndex: Int) -> String {
        // As QGIS 3.22 exports a font marker.
        """
        <se:PointSymbolizer><se:Graphic><se:Mark><se:OnlineResource xlink:type="simple" xlink:href="ttf://DejaVu Sans"/>
          <se:Format>ttf</se:Format><se:MarkIndex>\(markIndex)</se:MarkIndex>
          <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill></se:Mark><se:Size>40</se:Size></se:Graphic></se:PointSymbolizer>
        """
    }

    @Test func fontGlyphMarks() throws {
        // 'I' (73), centred on the point: a vertical bar through it, nothing either side.
        let qgis = try RenderedMap(Self.fontMark(73), features: [TestFeatures.point(50, 50)])
        let geoserver = try RenderedMap(Self.mark("ttf://DejaVu Sans#0x49"), features: [TestFeatures.point(50, 50)])
        for a in [qgis, geoserver] {
            #expect(a.warnings.isEmpty, "\(a.warnings)")
            #expect(a.ink(50, 40) > 600 && a.ink(50, 60) > 600 && a.ink(50, 50) > 600)
            #expect(a.ink(42, 50) < 100 && a.ink(58, 50) < 100)
        }
        // 'A' (65) is another glyph: more ink, and beside the middle column.
        let a = try RenderedMap(Self.fontMark(65), features: [TestFeatures.point(50, 50)])
        #expect(a.inked(x: 0...99, y: 0...99) > qgis.inked(x: 0...99, y: 0...99))
        #expect(a.inked(x: 30...42, y: 55...70) > 10)
    }
}
