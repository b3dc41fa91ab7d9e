import Foundation
import OGCCore
import Rendering
import Styling
import Testing

/// GraphicStroke: marks repeated along a line, spaced by the dash array (as QGIS's marker lines and GeoServer
/// styles write it) or by Gap, and no plain line between them.
@Suite struct GraphicStrokeTests {
    static func markerLine(dash: String? = nil, gap: Double? = nil, size: Double = 6) -> String {
        """
        <se:LineSymbolizer><se:Stroke><se:GraphicStroke><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName>
          <se:Fill><se:SvgParameter name="fill">#ff0000</se:SvgParameter></se:Fill></se:Mark><se:Size>\(size)</se:Size></se:Graphic>
          \(gap.map { "<se:Gap><ogc:Literal>\($0)</ogc:Literal></se:Gap>" } ?? "")</se:GraphicStroke>
          \(dash.map { "<se:SvgParameter name=\"stroke-dasharray\">\($0)</se:SvgParameter>" } ?? "")
        </se:Stroke></se:LineSymbolizer>
        """
    }

    /// Columns of row 50 where red marks are (red, not grey or black).
    static func redColumns(_ m: RenderedMap) -> [Int] {
        (0..<100).filter { let c = m.rgb($0, 50); return c.r > 200 && c.g < 80 && c.b < 80 }
    }

    @Test func dashArraySpacesTheMarks() throws {
        // "6 14": a 6 px mark every 20 px, centred 3 px into each dash: at x = 13, 33, 53, 73.
        let a = try RenderedMap(Self.markerLine(dash: "6 14"), features: [TestFeatures.line([(10, 50), (90, 50)])])
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        let red = Self.redColumns(a)
        for centre in [13, 33, 53, 73] { #expect(red.contains(centre), "mark at \(centre): \(red)") }
        for gap in [23, 43, 63] { #expect(a.ink(gap, 50) == 0, "nothing between marks at \(gap)") }
        #expect(a.inked(x: 0...99, y: 0...44) == 0 && a.inked(x: 0...99, y: 56...99) == 0)
    }

    @Test func gapSpacesTheMarksWithoutADashArray() throws {
        // Size 6 + Gap 10: every 16 px from the start, centres at 13, 29, 45, 61, 77.
        let a = try RenderedMap(Self.markerLine(gap: 10), features: [TestFeatures.line([(10, 50), (90, 50)])])
        let red = Self.redColumns(a)
        for centre in [13, 29, 45, 61, 77] { #expect(red.contains(centre), "mark at \(centre): \(red)") }
        #expect(a.ink(21, 50) == 0 && a.ink(37, 50) == 0)
    }

    @Test func marksTurnWithTheLine() throws {
        // A triangle points up when drawn alone; along a line going down the image it is turned 90°.
        let sym = """
        <se:LineSymbolizer><se:Stroke><se:GraphicStroke><se:Graphic><se:Mark><se:WellKnownName>square</se:WellKnownName>
          <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill></se:Mark><se:Size>4</se:Size></se:Graphic></se:GraphicStroke>
          <se:SvgParameter name="stroke-dasharray">4 16</se:SvgParameter></se:Stroke></se:LineSymbolizer>
        """
        // Going south along x = 50: marks at rows 12, 32, 52, 72 (pixel y from the top, map y 90 down to 10).
        let a = try RenderedMap(sym, features: [TestFeatures.line([(50, 90), (50, 10)])])
        let rows = a.inkedRows(atX: 50)
        #expect(rows.contains(12) && rows.contains(32) && !rows.contains(22))
    }

    @Test func polygonOutlinesOfGraphics() throws {
        // A yellow square outlined with red marks every 20 px: marks on the border, the yellow fill between them.
        let sym = """
        <se:PolygonSymbolizer><se:Fill><se:SvgParameter name="fill">#ffff00</se:SvgParameter></se:Fill>
          <se:Stroke><se:GraphicStroke><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName>
          <se:Fill><se:SvgParameter name="fill">#ff0000</se:SvgParameter></se:Fill></se:Mark><se:Size>6</se:Size></se:Graphic></se:GraphicStroke>
          <se:SvgParameter name="stroke-dasharray">6 14</se:SvgParameter></se:Stroke></se:PolygonSymbolizer>
        """
        let a = try RenderedMap(sym, features: [TestFeatures.polygon([(10, 10), (90, 10), (90, 90), (10, 90), (10, 10)])])
        // The ring runs east along the bottom edge (pixel row 90) from x = 10: marks centred at 13, 33, 53, 73.
        let bottom = (0..<100).filter { let c = a.rgb($0, 90); return c.r > 200 && c.g < 80 }
        for centre in [13, 33, 53, 73] { #expect(bottom.contains(centre), "\(bottom)") }
        #expect(!bottom.contains(23) && !bottom.contains(43), "no plain outline between the marks: \(bottom)")
        let inside = a.rgb(50, 50)
        #expect(inside.r > 240 && inside.g > 240 && inside.b < 20)
    }

    @Test func aHugeDashOffsetIsTakenModuloThePattern() throws {
        // 1e12 is a whole number of 20 px periods: the marks stay where they are, and drawing does not walk
        // through 5e10 periods first.
        let sym = Self.markerLine(dash: "6 14").replacingOccurrences(of: "</se:Stroke>",
            with: "<se:SvgParameter name=\"stroke-dashoffset\">1000000000000</se:SvgParameter></se:Stroke>")
        let clock = ContinuousClock(), t0 = clock.now
        let a = try RenderedMap(sym, features: [TestFeatures.line([(10, 50), (90, 50)])])
        #expect(clock.now - t0 < .seconds(2))
        let red = Self.redColumns(a)
        for centre in [13, 33, 53, 73] { #expect(red.contains(centre), "mark at \(centre): \(red)") }
    }
}
