import Filters
import Geo
import OGCCore
import Testing

@Suite struct CQLParserTests {
    @Test func comparisonsAndLogicPrecedence() throws {
        let f = try CQLParser.parse("code = '75' OR nom <> 'Paris' AND population >= 1000")
        #expect(f == .or([
            .comparison(.equal, .property("code"), .literal(.string("75")), matchCase: true),
            .and([.comparison(.notEqual, .property("nom"), .literal(.string("Paris")), matchCase: true),
                  .comparison(.greaterOrEqual, .property("population"), .literal(.int(1000)), matchCase: true)]),
        ]))
    }

    @Test func parenthesesNotLikeBetweenNullIn() throws {
        #expect(try CQLParser.parse("NOT (a = 1 OR b = 2)") == .not(.or([
            .comparison(.equal, .property("a"), .literal(.int(1)), matchCase: true),
            .comparison(.equal, .property("b"), .literal(.int(2)), matchCase: true)])))
        #expect(try CQLParser.parse("nom ILIKE 'saint%'") == .like(.property("nom"), pattern: "saint%", wildCard: "%", singleChar: "_", escape: "\\", matchCase: false))
        #expect(try CQLParser.parse("nom NOT LIKE 'A_'") == .not(.like(.property("nom"), pattern: "A_", wildCard: "%", singleChar: "_", escape: "\\", matchCase: true)))
        #expect(try CQLParser.parse("x BETWEEN -1.5 AND 2") == .between(.property("x"), lower: .literal(.double(-1.5)), upper: .literal(.int(2))))
        #expect(try CQLParser.parse("d IS NOT NULL") == .not(.isNull(.property("d"))))
        #expect(try CQLParser.parse("code IN ('69','75')") == .or([
            .comparison(.equal, .property("code"), .literal(.string("69")), matchCase: true),
            .comparison(.equal, .property("code"), .literal(.string("75")), matchCase: true)]))
        #expect(try CQLParser.parse("IN ('communes.1', 'communes.2')") == .resourceIds(["communes.1", "communes.2"]))
        #expect(try CQLParser.parse("(a + 1) * 2 > 10") == .comparison(.greater,
            .arithmetic("*", .arithmetic("+", .property("a"), .literal(.int(1))), .literal(.int(2))), .literal(.int(10)), matchCase: true))
        #expect(try CQLParser.parse("nom = 'l''Isle'") == .comparison(.equal, .property("nom"), .literal(.string("l'Isle")), matchCase: true))
    }

    @Test func spatialPredicates() throws {
        #expect(try CQLParser.parse("BBOX(geom, 2.2, 48.8, 2.5, 48.9)") == .bbox(property: "geom", BBox(minX: 2.2, minY: 48.8, maxX: 2.5, maxY: 48.9), srid: nil))
        #expect(try CQLParser.parse("BBOX(geom, 600000, 6800000, 700000, 6900000, 'EPSG:2154')") ==
                .bbox(property: "geom", BBox(minX: 600000, minY: 6800000, maxX: 700000, maxY: 6900000), srid: 2154))
        #expect(try CQLParser.parse("BBOX(geom, 48.8, 2.2, 48.9, 2.5, 'urn:ogc:def:crs:EPSG::4326')") ==
                .bbox(property: "geom", BBox(minX: 2.2, minY: 48.8, maxX: 2.5, maxY: 48.9), srid: 4326))
        #expect(try CQLParser.parse("INTERSECTS(geom, POINT(2.35 48.85))") == .spatial(.intersects, property: "geom", geometry: .point(Coord(2.35, 48.85)), srid: nil))
        let poly = try CQLParser.parse("WITHIN(geom, POLYGON((0 0, 10 0, 10 10, 0 10, 0 0)))")
        #expect(poly == .spatial(.within, property: "geom", geometry: .polygon([[Coord(0, 0), Coord(10, 0), Coord(10, 10), Coord(0, 10), Coord(0, 0)]]), srid: nil))
        #expect(try CQLParser.parse("DWITHIN(geom, POINT(1 2), 500, meters)") ==
                .distance(.dWithin, property: "geom", geometry: .point(Coord(1, 2)), srid: nil, distance: 500, units: "meters"))
        #expect(try CQLParser.parse("DISJOINT(geom, MULTIPOINT((1 2), (3 4)))") ==
                .spatial(.disjoint, property: "geom", geometry: .multiPoint([Coord(1, 2), Coord(3, 4)]), srid: nil))
    }

    @Test(arguments: ["nom = ", "nom = 'x", "nom == 'x'", "nom = 'x' ; DROP TABLE communes", "BBOX(geom, 1, 2, 3)",
                      "nom = 'a' AND", "((a = 1)", "1 = 1) OR (1"])
    func malformedIsRefusedWithLocator(text: String) {
        do {
            let f = try CQLParser.parse(text)
            Issue.record("accepted \(text) as \(f)")
        } catch {
            #expect(error.code == .invalidParameterValue)
            #expect(error.locator == "CQL_FILTER")
        }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "NOT ", count: 100) + "a = 1"
        #expect(throws: OGCError.self) { try CQLParser.parse(text) }
        let parens = String(repeating: "(", count: 200) + "a = 1" + String(repeating: ")", count: 200)
        #expect(throws: OGCError.self) { try CQLParser.parse(parens) }
    }
}
