import OGCCore
import Rendering
import Styling
import Testing

/// QGIS's marker line placements (`placement` vendor option: points, firstPoint, lastPoint, centralPoint) and
/// markers that do not turn with the line (`rotateMarker` 0).
@Suite struct GraphicStrokePlacementTests {
    static func markerLine(_ options: String, mark: String = "circle") -> String {
        """
        <se:LineSymbolizer><se:Stroke><se:GraphicStroke><se:Graphic><se:Mark><se:WellKnownName>\(mark)</se:WellKnownName>
          <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill>
          <se:Stroke><se:SvgParameter name="stroke">#000000</se:SvgParameter><se:SvgParameter name="stroke-width">2</se:SvgParameter></se:Stroke>
        </se:Mark><se:Size>8</se:Size></se:Graphic></se:GraphicStroke></se:Stroke>\(options)</se:LineSymbolizer>
        """
    }
    /// West to east along pixel row 50, with a vertex at x = 40: from 10 to 40 to 90.
    static let line = TestFeatures.line([(10, 50), (40, 50), (90, 50)])

    static func markCentres(_ m: RenderedMap) -> [Int] {
        // Runs of ink along row 50, by their middle.
        let cols = m.inkedColumns(atY: 50)
        var runs: [[Int]] = []
        for c in cols { if let last = runs.last?.last, last == c - 1 { runs[runs.count - 1].append(c) } else { runs.append([c]) } }
        return runs.map { ($0.first! + $0.last!) / 2 }
    }

    @Test func eachPlacement() throws {
        let cases: [(String, [Int])] = [("points", [10, 40, 89]), ("firstPoint", [10]), ("lastPoint", [89]), ("centralPoint", [49])]
        for (placement, expected) in cases {
            let a = try RenderedMap(Self.markerLine("<se:VendorOption name=\"placement\">\(placement)</se:VendorOption>"),
                                    features: [Self.line])
            #expect(a.warnings.isEmpty, "\(a.warnings)")
            let centres = Self.markCentres(a)
            #expect(centres.count == expected.count && zip(centres, expected).allSatisfy { abs($0 - $1) <= 1 }, "\(placement): \(centres)")
        }
    }

    @Test func markersThatDoNotTurn() throws {
        // A vertical bar in the middle of a line going down the image: turned with the line it lies across the
        // image; with rotateMarker 0 it stays upright.
        let south = TestFeatures.line([(50, 90), (50, 10)])
        let central = "<se:VendorOption name=\"placement\">centralPoint</se:VendorOption>"
        let turned = try RenderedMap(Self.markerLine(central, mark: "shape://vertline"), features: [south])
        #expect(turned.ink(47, 50) > 255 && turned.ink(50, 47) < 100)
        let fixed = try RenderedMap(Self.markerLine(central + "<se:VendorOption name=\"rotateMarker\">0</se:VendorOption>", mark: "shape://vertline"),
                                    features: [south])
        #expect(fixed.ink(50, 47) > 255 && fixed.ink(47, 50) < 100)
    }
}
