import Foundation
import OGCCore
import Rendering
import Styling
import Testing

/// Labels following their line glyph by glyph (followLine), dropped where the line turns more than
/// maxAngleDelta between two glyphs.
@Suite struct LineLabelTests {
    static func label(followLine: Bool, maxAngleDelta: Double? = nil) -> String {
        """
        <se:TextSymbolizer><se:Label><ogc:Literal>ABCDEFGHIJ</ogc:Literal></se:Label>
          <se:Font><se:SvgParameter name="font-family">DejaVu Sans</se:SvgParameter><se:SvgParameter name="font-size">12</se:SvgParameter></se:Font>
          <se:LabelPlacement><se:LinePlacement><se:GeneralizeLine>true</se:GeneralizeLine></se:LinePlacement></se:LabelPlacement>
          <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill>
          \(followLine ? "<se:VendorOption name=\"followLine\">true</se:VendorOption>" : "")
          \(maxAngleDelta.map { "<se:VendorOption name=\"maxAngleDelta\">\($0)</se:VendorOption>" } ?? "")
        </se:TextSymbolizer>
        """
    }

    /// An arch: half a circle of radius 45 around map (50, 10), pixel (50, 90), drawn west to east over the top.
    static let arch = TestFeatures.line((0...36).map { k in
        let a = Double.pi - Double(k) * Double.pi / 36
        return (50 + 45 * cos(a), 10 + 45 * sin(a))
    })

    static func darkPixels(_ m: RenderedMap) -> [(x: Int, y: Int)] {
        var out: [(x: Int, y: Int)] = []
        for y in 0..<100 { for x in 0..<100 where m.ink(x, y) > 500 { out.append((x, y)) } }
        return out
    }

    /// Pixels farther than 9 px from the arch (the text is 12 px high, centred on it).
    static func offTheArch(_ dark: [(x: Int, y: Int)]) -> Int {
        dark.filter { abs(hypot(Double($0.x) + 0.5 - 50, Double($0.y) + 0.5 - 90) - 45) > 9 }.count
    }

    @Test func textFollowsTheCurve() throws {
        let a = try RenderedMap(Self.label(followLine: true), features: [Self.arch])
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        let dark = Self.darkPixels(a)
        #expect(dark.count > 100)
        #expect(Self.offTheArch(dark) == 0)
        // Its ends bend down with the arch, on both sides.
        #expect(dark.contains { $0.x < 25 && $0.y > 55 } && dark.contains { $0.x > 75 && $0.y > 55 })
        // Upright: read left to right, the text's top is outside the arch (ink of 'A' lies left).
        #expect(dark.filter { $0.x < 50 }.count > 20)
    }

    @Test func withoutFollowLineTheTextIsOneStraightString() throws {
        // The same label drawn straight leaves the arch at its ends: the test above can tell them apart.
        let a = try RenderedMap(Self.label(followLine: false), features: [Self.arch])
        #expect(Self.offTheArch(Self.darkPixels(a)) > 20)
    }

    @Test func sharpTurnsDropTheLabel() throws {
        // A right angle in the middle of the line, under the middle of the text.
        let corner = TestFeatures.line([(5, 50), (55, 50), (55, 0)])
        let dropped = try RenderedMap(Self.label(followLine: true), features: [corner])
        #expect(Self.darkPixels(dropped).isEmpty)
        let allowed = try RenderedMap(Self.label(followLine: true, maxAngleDelta: 100), features: [corner])
        #expect(Self.darkPixels(allowed).count > 60)
    }

    @Test func labelsLongerThanTheLineAreDropped() throws {
        let a = try RenderedMap(Self.label(followLine: true), features: [TestFeatures.line([(40, 50), (60, 50)])])
        #expect(Self.darkPixels(a).isEmpty)
    }
}
