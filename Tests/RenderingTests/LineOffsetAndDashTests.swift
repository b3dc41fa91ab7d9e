import OGCCore
import Rendering
import Styling
import Testing

/// PerpendicularOffset moves a line sideways; dash arrays and stroke-dashoffset leave gaps where they say.
@Suite struct LineOffsetAndDashTests {
    static func line(width: Double = 2, dash: String? = nil, dashOffset: Double? = nil, offset: Double? = nil) -> String {
        """
        <se:LineSymbolizer><se:Stroke>
          <se:SvgParameter name="stroke">#000000</se:SvgParameter><se:SvgParameter name="stroke-width">\(width)</se:SvgParameter>
          \(dash.map { "<se:SvgParameter name=\"stroke-dasharray\">\($0)</se:SvgParameter>" } ?? "")
          \(dashOffset.map { "<se:SvgParameter name=\"stroke-dashoffset\">\($0)</se:SvgParameter>" } ?? "")
        </se:Stroke>\(offset.map { "<se:PerpendicularOffset>\($0)</se:PerpendicularOffset>" } ?? "")</se:LineSymbolizer>
        """
    }

    @Test func positiveOffsetsGoLeftOfTheLine() throws {
        // Eastward along y = 50 (pixel row 50): 10 px to the left is north, pixel rows 39–40.
        let east = TestFeatures.line([(10, 50), (90, 50)])
        let a = try RenderedMap(Self.line(offset: 10), features: [east])
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        #expect(a.inkedRows(atX: 50) == [39, 40])
        // Negative: to the right (south); the same line drawn westward goes the other way.
        let b = try RenderedMap(Self.line(offset: -10), features: [east])
        #expect(b.inkedRows(atX: 50) == [59, 60])
        let c = try RenderedMap(Self.line(offset: 10), features: [TestFeatures.line([(90, 50), (10, 50)])])
        #expect(c.inkedRows(atX: 50) == [59, 60])
        // Without an offset the line is on its geometry.
        let d = try RenderedMap(Self.line(), features: [east])
        #expect(d.inkedRows(atX: 50) == [49, 50])
    }

    @Test func offsetCornersAreJoined() throws {
        // East then north, offset 10 to the left: the corner moves inside, to (80, 60) in map units, and
        // both offset legs meet there without a gap.
        let a = try RenderedMap(Self.line(offset: 10), features: [TestFeatures.line([(10, 50), (90, 50), (90, 95)])])
        #expect(a.inkedRows(atX: 50) == [39, 40])
        #expect(a.inkedColumns(atY: 20) == [79, 80])
        #expect(a.ink(79, 40) > 255 && a.ink(80, 39) > 255)
        // Nothing beyond the corner: the offset legs do not overshoot.
        #expect(a.inked(x: 82...99, y: 30...45) == 0)
        #expect(a.inked(x: 0...99, y: 48...51) == 0, "nothing on the geometry itself")
    }

    @Test func dashesLeaveGapsAndTheirOffsetShiftsThem() throws {
        // 10 on, 10 off from x = 10: ink at x 10–19, 30–39; gaps at 20–29.
        let east = TestFeatures.line([(10, 50), (90, 50)])
        let a = try RenderedMap(Self.line(width: 4, dash: "10 10"), features: [east])
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        let cols = a.inkedColumns(atY: 50)
        #expect(cols.contains(15) && cols.contains(35) && !cols.contains(25) && !cols.contains(45))
        // stroke-dashoffset 10 starts the pattern 10 px in: the gaps come first.
        let b = try RenderedMap(Self.line(width: 4, dash: "10 10", dashOffset: 10), features: [east])
        let shifted = b.inkedColumns(atY: 50)
        #expect(!shifted.contains(15) && shifted.contains(25) && !shifted.contains(35) && shifted.contains(45))
    }

    @Test func dashedOffsetLine() throws {
        // Both together: the dashes are on the offset line.
        let a = try RenderedMap(Self.line(width: 4, dash: "10 10", offset: -20), features: [TestFeatures.line([(10, 50), (90, 50)])])
        let cols = a.inkedColumns(atY: 70)
        #expect(cols.contains(15) && !cols.contains(25) && cols.contains(35))
        #expect(a.inkedColumns(atY: 50).isEmpty)
    }
}
