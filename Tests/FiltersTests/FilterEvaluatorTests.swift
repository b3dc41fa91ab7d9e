import Filters
import Geo
import OGCCore
import Testing

@Suite struct FilterEvaluatorTests {
    let square = Geometry.polygon([[Coord(0, 0), Coord(10, 0), Coord(10, 10), Coord(0, 10), Coord(0, 0)]])
    let attrs: [String: Value] = ["nom": .string("Saint-Étienne"), "code": .string("42"), "pop": .int(170_000), "vide": .null]

    func eval(_ cql: String, _ g: Geometry? = nil, id: String? = nil) throws -> Bool {
        let f = try CQLParser.parse(cql)
        return FilterEvaluator().evaluate(f, property: { attrs[$0] }, geometry: g ?? square, id: id)
    }

    @Test func attributes() throws {
        #expect(try eval("pop > 100000"))
        #expect(try !eval("pop > 200000"))
        #expect(try eval("code = '42'"))
        #expect(try eval("code = 42"))
        #expect(try eval("nom LIKE 'Saint-%'"))
        #expect(try !eval("nom LIKE 'saint-%'"))
        #expect(try eval("nom ILIKE 'saint-_tienne'"))
        #expect(try eval("pop BETWEEN 100000 AND 200000"))
        #expect(try eval("vide IS NULL AND nom IS NOT NULL"))
        #expect(try eval("code IN ('69', '42')"))
        #expect(try !eval("NOT code IN ('69', '42')"))
        #expect(try !eval("vide = 'x'"))
    }

    @Test func spatial() throws {
        #expect(try eval("INTERSECTS(geom, POINT(5 5))"))
        #expect(try !eval("INTERSECTS(geom, POINT(15 5))"))
        #expect(try eval("INTERSECTS(geom, LINESTRING(-5 5, 15 5))"))
        #expect(try eval("WITHIN(geom, POLYGON((-1 -1, 11 -1, 11 11, -1 11, -1 -1)))"))
        #expect(try !eval("WITHIN(geom, POLYGON((1 1, 11 1, 11 11, 1 11, 1 1)))"))
        #expect(try eval("CONTAINS(geom, POINT(1 1))"))
        #expect(try eval("DISJOINT(geom, POINT(20 20))"))
        #expect(try eval("BBOX(geom, 9, 9, 20, 20)"))
        #expect(try !eval("BBOX(geom, 11, 11, 20, 20)"))
        #expect(try eval("DWITHIN(geom, POINT(12 5), 2.5, meters)"))
        #expect(try !eval("DWITHIN(geom, POINT(12 5), 1.5, meters)"))
        #expect(try eval("BEYOND(geom, POINT(12 5), 1.5, meters)"))
        // A polygon with a hole: a point in the hole is outside.
        let holed = Geometry.polygon([square.ringsForTest[0], [Coord(4, 4), Coord(6, 4), Coord(6, 6), Coord(4, 6), Coord(4, 4)]])
        #expect(try !eval("INTERSECTS(geom, POINT(5 5))", holed))
    }

    @Test func resourceIds() throws {
        #expect(try eval("IN ('communes.7')", id: "7"))
        #expect(try !eval("IN ('communes.8')", id: "7"))
    }

    @Test func likeEscapes() {
        #expect(FilterEvaluator.like("100%", "100!%", wildCard: "%", singleChar: "_", escape: "!", matchCase: true))
        #expect(!FilterEvaluator.like("1000", "100!%", wildCard: "%", singleChar: "_", escape: "!", matchCase: true))
        #expect(FilterEvaluator.like("abcabc", "*b*c", wildCard: "*", singleChar: ".", escape: "\\", matchCase: true))
    }
}

extension Geometry {
    var ringsForTest: [[Coord]] { if case .polygon(let r) = self { return r }; return [] }
}
