import Geo
import OGCCore
import Testing

@Suite struct GEOSTests {
    let square = Geometry.polygon([[Coord(0, 0), Coord(10, 0), Coord(10, 10), Coord(0, 10), Coord(0, 0)]])
    let inner = Geometry.point(Coord(5, 5))
    let outside = Geometry.point(Coord(20, 5))
    let crossing = Geometry.lineString([Coord(-5, 5), Coord(15, 5)])

    @Test func predicates() throws {
        let g = GEOSContext()
        #expect(try g.intersects(square, inner))
        #expect(try g.contains(square, inner))
        #expect(try g.within(inner, square))
        #expect(try g.disjoint(square, outside))
        #expect(!(try g.intersects(square, outside)))
        #expect(try g.crosses(crossing, square))
        #expect(try g.touches(square, .point(Coord(10, 5))))
        #expect(try g.overlaps(square, .polygon([[Coord(5, 5), Coord(15, 5), Coord(15, 15), Coord(5, 15), Coord(5, 5)]])))
        #expect(try g.equals(square, .polygon([[Coord(10, 0), Coord(10, 10), Coord(0, 10), Coord(0, 0), Coord(10, 0)]])))
        #expect(try g.distance(square, outside) == 10)
    }

    @Test func preparedMatchesPlain() throws {
        let g = GEOSContext()
        let p = try g.prepare(square)
        for other in [inner, outside, crossing] {
            for pred in GEOSContext.Predicate.allCases {
                #expect(try p.evaluate(pred, other) == g.evaluate(pred, square, other))
            }
        }
    }

    @Test func validityAndOperations() throws {
        let g = GEOSContext()
        let bowtie = Geometry.polygon([[Coord(0, 0), Coord(10, 10), Coord(10, 0), Coord(0, 10), Coord(0, 0)]])
        #expect(!(try g.isValid(bowtie)))
        #expect(try g.isValid(try g.makeValid(bowtie)))
        let wiggly = Geometry.lineString((0...100).map { Coord(Double($0), $0 % 2 == 0 ? 0 : 0.01) })
        guard case .lineString(let s) = try g.simplify(wiggly, tolerance: 0.1) else { Issue.record("type"); return }
        #expect(s.count == 2)
        let clipped = try #require(try g.clip(crossing, to: BBox(minX: 0, minY: 0, maxX: 10, maxY: 10)))
        #expect(clipped.bbox == BBox(minX: 0, minY: 5, maxX: 10, maxY: 5))
        #expect(try g.clip(outside, to: BBox(minX: 0, minY: 0, maxX: 10, maxY: 10)) == nil)
    }
}
