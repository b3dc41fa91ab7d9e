import Filters
import Geo
import OGCCore
import Testing
@testable import VectorData

@Suite struct SQLFilterCompilerTests {
    let schema = TableSchema(name: "communes", fields: [FieldInfo(name: "nom", type: .string), FieldInfo(name: "pop", type: .integer)],
                             geometryColumn: "geom", geometryType: .multiPolygon, srid: 4326, primaryKey: "fid", extent: nil)

    @Test func valuesAreBindsNeverText() throws {
        let evil = "x'; DROP TABLE communes; --"
        for d in [SQLDialect.postgis, .sqlite] {
            let c = try SQLFilterCompiler.compile(.comparison(.equal, .property("nom"), .literal(.string(evil)), matchCase: true),
                                                  dialect: d, schema: schema)
            #expect(!c.sql.contains("DROP"))
            #expect(c.binds == [.value(.string(evil))])
        }
    }

    @Test func postgisPlaceholdersAreNumberedAfterTheOffset() throws {
        let f = Filter.and([.comparison(.greater, .property("pop"), .literal(.string("100")), matchCase: true),
                            .between(.property("pop"), lower: .literal(.int(1)), upper: .literal(.int(5)))])
        let c = try SQLFilterCompiler.compile(f, dialect: .postgis, schema: schema, bindOffset: 4)
        #expect(c.sql == #"(("pop" > $5::bigint) AND ("pop" BETWEEN $6::bigint AND $7::bigint))"#)
        #expect(c.binds == [.value(.int(100)), .value(.int(1)), .value(.int(5))])
    }

    @Test func likePatternsAreTranslatedWithEscapes() throws {
        let f = Filter.like(.property("nom"), pattern: "a%b*c!*d.", wildCard: "*", singleChar: ".", escape: "!", matchCase: false)
        let c = try SQLFilterCompiler.compile(f, dialect: .postgis, schema: schema)
        #expect(c.binds == [.value(.string(#"a\%b%c*d_"#))])
        #expect(c.sql.contains("ILIKE"))
        let g = try SQLFilterCompiler.compile(.like(.property("nom"), pattern: "a?*x", wildCard: "*", singleChar: "#", escape: "!", matchCase: true),
                                              dialect: .sqlite, schema: schema)
        #expect(g.sql.contains("GLOB"))
        #expect(g.binds == [.value(.string("a[?]*x"))])
    }

    @Test func resourceIdsTakeThePartAfterTheLastDot() throws {
        let c = try SQLFilterCompiler.compile(.resourceIds(["communes.12", "a.b.7", "x.y"]), dialect: .sqlite, schema: schema)
        #expect(c.binds == [.value(.int(12)), .value(.int(7))])
        #expect(try SQLFilterCompiler.compile(.resourceIds(["x.y"]), dialect: .sqlite, schema: schema).sql == "1=0")
    }

    @Test func unknownNamesAndFunctionsThrow() {
        #expect(throws: OGCError.self) {
            try SQLFilterCompiler.compile(.isNull(.property("nope")), dialect: .postgis, schema: schema)
        }
        #expect(throws: OGCError.self) {
            try SQLFilterCompiler.compile(.isNull(.function("pg_sleep", [.literal(.int(1))])), dialect: .postgis, schema: schema)
        }
        #expect(throws: OGCError.self) {
            try SQLFilterCompiler.compile(.bbox(property: "the_geom", BBox(minX: 0, minY: 0, maxX: 1, maxY: 1), srid: nil), dialect: .postgis, schema: schema)
        }
    }

    @Test func spatialLiteralIsWKBInTheNativeCRS() throws {
        let c = try SQLFilterCompiler.compile(.spatial(.within, property: "geom", geometry: .point(Coord(652469.02, 6862035.26)), srid: 2154),
                                              dialect: .postgis, schema: schema)
        #expect(c.sql == #"ST_Within("geom", ST_Transform(ST_GeomFromWKB($1::bytea, 2154), 4326))"#)
        let s = try SQLFilterCompiler.compile(.spatial(.within, property: "geom", geometry: .point(Coord(652469.02, 6862035.26)), srid: 2154),
                                              dialect: .sqlite, schema: schema)
        let blob = s.binds.first { if case .blob = $0 { true } else { false } }
        guard case .blob(let wkb) = blob else { Issue.record("no blob"); return }
        // The rtree prefilter's four binds come first, as in the text.
        #expect(s.binds.count == 5 && s.sql.hasPrefix(#"("fid" IN (SELECT id FROM "rtree_communes_geom""#))
        guard case .point(let p) = try WKB.decode(wkb) else { Issue.record("not a point"); return }
        #expect(abs(p.x - 2.3522) < 1e-7 && abs(p.y - 48.8566) < 1e-7)
    }
}
