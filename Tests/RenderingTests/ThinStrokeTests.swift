import CCairo
import Foundation
import Geo
import ImageCodec
import Styling
import Testing
@testable import Rendering

/// Thin strokes drawn from a coverage mask instead of Cairo's stroker.
@Suite struct ThinStrokeTests {
    /// The alpha channel of a canvas after `draw`, on a transparent background.
    func alpha(_ draw: (CairoCanvas) -> Void, size: Int = 64) throws -> [Int] {
        let canvas = try #require(CairoCanvas(width: size, height: size))
        canvas.clear(RenderBackground(transparent: true))
        draw(canvas)
        let img = canvas.image()
        #expect(img.channels == 4)
        return (0..<(size * size)).map { Int(img.pixels[$0 * 4 + 3]) }
    }

    func thin(_ parts: [[(Double, Double)]], width: Double, closed: Bool = false) -> (CairoCanvas) -> Void {
        { canvas in
            var rec = PathRecorder()
            for p in parts {
                rec.begin(closed: closed)
                for (x, y) in p { rec.add(x, y) }
            }
            canvas.strokeThin(rec, Stroke(colour: .black, width: width))
        }
    }

    func cairo(_ parts: [[(Double, Double)]], width: Double, closed: Bool = false) -> (CairoCanvas) -> Void {
        { canvas in
            for p in parts {
                for (i, (x, y)) in p.enumerated() { if i == 0 { cairo_move_to(canvas.cr, x, y) } else { cairo_line_to(canvas.cr, x, y) } }
                if closed { cairo_close_path(canvas.cr) }
            }
            canvas.apply(Stroke(colour: .black, width: width, lineJoin: .round, lineCap: .round))
            cairo_stroke(canvas.cr)
        }
    }

    @Test func axisAlignedLinesCoverWhatTheirWidthCovers() throws {
        // A 1 px line along the centres of row 10 covers that row fully and nothing above or below.
        let a = try alpha(thin([[(5, 10.5), (50, 10.5)]], width: 1))
        #expect(a[10 * 64 + 20] == 255)
        #expect(a[9 * 64 + 20] == 0 && a[11 * 64 + 20] == 0)
        // 0.8 px: 80 % of the pixel.
        let b = try alpha(thin([[(20.5, 5), (20.5, 50)]], width: 0.8))
        #expect(abs(b[30 * 64 + 20] - 204) <= 1)
        #expect(b[30 * 64 + 19] == 0 && b[30 * 64 + 21] == 0)
        // A line on a pixel boundary shares its width between the two rows.
        let c = try alpha(thin([[(5, 10), (50, 10)]], width: 1))
        #expect(abs(c[9 * 64 + 20] - 128) <= 1 && abs(c[10 * 64 + 20] - 128) <= 1)
    }

    @Test func coverageMatchesCairosStrokerOnAnyAngle() throws {
        // A closed ring with edges at many angles, and an open zigzag.
        var ring: [(Double, Double)] = []
        for k in 0..<17 {
            let a = Double(k) / 17 * 2 * .pi, r = k % 2 == 0 ? 24.0 : 15.0
            ring.append((32 + r * cos(a), 32 + r * sin(a)))
        }
        let zigzag: [(Double, Double)] = [(3, 60), (12, 45.3), (20.7, 58), (31, 40.2), (44, 61), (60, 47)]
        for width in [0.6, 1.0, 1.5] {
            let t = try alpha(thin([ring], width: width, closed: true)), c = try alpha(cairo([ring], width: width, closed: true))
            let tz = try alpha(thin([zigzag], width: width)), cz = try alpha(cairo([zigzag], width: width))
            for (mine, theirs) in [(t, c), (tz, cz)] {
                let sumMine = Double(mine.reduce(0, +)), sumTheirs = Double(theirs.reduce(0, +))
                #expect(abs(sumMine - sumTheirs) / sumTheirs < 0.08, "total ink within 8 % of Cairo's at width \(width)")
                let worst = zip(mine, theirs).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 110, "no pixel far from Cairo's at width \(width): \(worst)")
                // Nothing drawn where Cairo draws nothing (beyond one pixel of antialiasing).
                let stray = zip(mine, theirs).filter { $0 > 40 && $1 == 0 }.count
                #expect(stray == 0)
            }
        }
    }

    @Test func overlappingOutlinesAreDrawnOnce() throws {
        // The same edge twice (two adjacent polygons) gives the coverage of one edge, not a darker line.
        let once = try alpha(thin([[(5, 20.3), (50, 20.3)]], width: 0.8))
        let twice = try alpha(thin([[(5, 20.3), (50, 20.3)], [(50, 20.3), (5, 20.3)]], width: 0.8))
        #expect(once == twice)
    }

    @Test func farAndInvalidCoordinatesDrawNothingAndDoNotTrap() throws {
        // Drawn together without trapping; the only ink is the huge segment's crossing of the canvas, near y = 5.
        let a = try alpha(thin([[(-1e300, 5), (1e300, 5.5)], [(.nan, 1), (3, 4)], [(1e9, 1e9), (2e9, 2e9)]], width: 1))
        let inkedRows = Set(a.indices.filter { a[$0] > 0 }.map { $0 / 64 })
        #expect(inkedRows.isSubset(of: 3...8), "\(inkedRows.sorted())")
        let nan = try alpha(thin([[(.nan, 1), (3, 4)]], width: 1))
        #expect(nan.allSatisfy { $0 == 0 })
        let far = try alpha(thin([[(1e9, 1e9), (2e9, 2e9)]], width: 1))
        #expect(far.allSatisfy { $0 == 0 })
    }
}
