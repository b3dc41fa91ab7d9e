import Filters
import Foundation
import Geo
import OGCCore
import Testing
@testable import VectorData

/// One query suite, run against the GeoPackage and PostGIS copies of the demo data.
@Suite struct QuerySuiteTests {
    static let idf = BBox(minX: 2.0, minY: 48.5, maxX: 2.8, maxY: 49.1)

    func codes(_ s: any VectorSource, _ q: FeatureQuery) async throws -> [String] {
        var q = q
        q.properties = ["code"]
        q.geometry = .none
        return try await s.collect(q).map { $0.values[0].description }
    }

    @Test(arguments: SourceKind.allCases) func schemaAndTables(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        let tables = try await s.tables()
        #expect(Set(["regions", "departements", "communes"]).isSubset(of: Set(tables)))
        let d = try await s.schema(of: "departements")
        #expect(d.fields.map(\.name) == ["code", "nom"])
        #expect(d.fields.allSatisfy { $0.type == .string })
        #expect(d.primaryKey == "fid")
        #expect(d.srid == 4326)
        #expect(d.geometryColumn == "geom")
        #expect(d.geometryType == .multiPolygon)
        let e = try #require(d.extent)
        #expect(abs(e.minX - -5.14) < 0.01 && abs(e.maxY - 51.09) < 0.01)
        let c = try await s.schema(of: "communes")
        #expect(c.fields.map(\.name) == ["code", "nom", "departement"])
        await #expect(throws: VectorDataError.self) { try await s.schema(of: "nope") }
    }

    @Test(arguments: SourceKind.allCases) func bboxCounts(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        let q = FeatureQuery(table: "departements", bbox: Self.idf)
        let found = try await codes(s, q)
        #expect((8...9).contains(found.count))
        #expect(found.contains("75") && found.contains("92") && found.contains("95"))
        #expect(try await s.count(q) == found.count)
        // The same area given in Web Mercator.
        let merc = try CoordinateTransformer.make(from: 4326, to: 3857).transform(Self.idf)
        let inMerc = try await codes(s, FeatureQuery(table: "departements", bbox: merc, bboxSRID: 3857))
        #expect(Set(inMerc).isSuperset(of: Set(found)))
        #expect(inMerc.count <= found.count + 2)
        #expect(try await s.count(FeatureQuery(table: "communes")) == 402)
    }

    @Test(arguments: SourceKind.allCases) func attributeFilters(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        func q(_ f: Filter) -> FeatureQuery { FeatureQuery(table: "departements", filter: f) }
        let code = Expression.property("code"), nom = Expression.property("nom")
        #expect(try await codes(s, q(.comparison(.equal, code, .literal(.string("75")), matchCase: true))) == ["75"])
        #expect(try await codes(s, q(.comparison(.equal, nom, .literal(.string("paris")), matchCase: false))) == ["75"])
        #expect(try await codes(s, q(.comparison(.equal, nom, .literal(.string("paris")), matchCase: true))) == [])
        let hauts = try await codes(s, q(.like(nom, pattern: "Hauts*", wildCard: "*", singleChar: ".", escape: "!", matchCase: true)))
        #expect(hauts == ["92"])
        let seine = try await codes(s, q(.like(nom, pattern: "%seine%", wildCard: "%", singleChar: "_", escape: "\\", matchCase: false)))
        #expect(Set(seine) == ["76", "77", "92", "93"])
        // A literal % in the pattern (escaped) matches nothing here.
        #expect(try await codes(s, q(.like(nom, pattern: "Paris!*", wildCard: "*", singleChar: ".", escape: "!", matchCase: true))) == [])
        #expect(try await codes(s, q(.like(nom, pattern: "Val.d*", wildCard: "*", singleChar: ".", escape: "!", matchCase: true))).sorted() == ["94", "95"])
        let between = try await codes(s, q(.between(code, lower: .literal(.string("91")), upper: .literal(.string("95")))))
        #expect(between.sorted() == ["91", "92", "93", "94", "95"])
        #expect(try await s.count(q(.isNull(nom))) == 0)
        #expect(try await s.count(q(.not(.isNull(nom)))) == 96)
        let combo = Filter.and([
            .between(code, lower: .literal(.string("91")), upper: .literal(.string("95"))),
            .not(.or([.comparison(.equal, code, .literal(.string("92")), matchCase: true),
                      .comparison(.greater, code, .literal(.string("94")), matchCase: true)])),
        ])
        #expect(try await codes(s, q(combo)).sorted() == ["91", "93", "94"])
        #expect(try await s.count(q(.exclude)) == 0)
        #expect(try await s.count(q(.include)) == 96)
        // Feature ids, as WFS gives them.
        let paris = try #require(try await s.collect(FeatureQuery(table: "departements",
            filter: .comparison(.equal, code, .literal(.string("75")), matchCase: true), geometry: .none)).first)
        #expect(try await codes(s, q(.resourceIds(["departements.\(paris.id)", "departements.notanumber"]))) == ["75"])
        // Integer literals compared with the integer key.
        #expect(try await s.count(q(.comparison(.lessOrEqual, .property("fid"), .literal(.int(10)), matchCase: true))) == 10)
        #expect(try await codes(s, q(.comparison(.equal, .function("upper", [nom]), .literal(.string("PARIS")), matchCase: true))) == ["75"])
    }

    @Test(arguments: SourceKind.allCases) func spatialFilters(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        let centre = Geometry.polygon([[Coord(2.34, 48.85), Coord(2.36, 48.85), Coord(2.36, 48.87), Coord(2.34, 48.87), Coord(2.34, 48.85)]])
        let hit = try await codes(s, FeatureQuery(table: "departements", filter: .spatial(.intersects, property: "geom", geometry: centre, srid: 4326)))
        #expect(hit == ["75"])
        // The same polygon given in Lambert-93.
        let l93 = try CoordinateTransformer.make(from: 4326, to: 2154).transform(centre)
        #expect(try await codes(s, FeatureQuery(table: "departements", filter: .spatial(.intersects, property: nil, geometry: l93, srid: 2154))) == ["75"])
        #expect(try await codes(s, FeatureQuery(table: "departements", filter: .spatial(.contains, property: "geom", geometry: centre, srid: nil))) == ["75"])
        let ring = [Coord(1.4, 48.1), Coord(3.6, 48.1), Coord(3.6, 49.3), Coord(1.4, 49.3), Coord(1.4, 48.1)]
        let within = try await codes(s, FeatureQuery(table: "departements", filter: .spatial(.within, property: "geom", geometry: .polygon([ring]), srid: 4326)))
        #expect(within.contains("75") && within.contains("92") && !within.contains("69"))
        // Combined with an attribute filter and negation.
        let notParis = try await s.count(FeatureQuery(table: "departements", filter: .and([
            .spatial(.within, property: "geom", geometry: .polygon([ring]), srid: 4326),
            .not(.comparison(.equal, .property("code"), .literal(.string("75")), matchCase: true))])))
        #expect(notParis == within.count - 1)
        let bb = try await codes(s, FeatureQuery(table: "departements", filter: .bbox(property: nil, BBox(minX: 2.34, minY: 48.85, maxX: 2.36, maxY: 48.87), srid: 4326)))
        #expect(bb == ["75"])
        let near = try await codes(s, FeatureQuery(table: "departements", filter: .distance(.dWithin, property: nil, geometry: .point(Coord(2.35, 48.86)), srid: 4326, distance: 0.001, units: nil)))
        #expect(near == ["75"])
    }

    @Test(arguments: SourceKind.allCases) func sortAndPagingGiveATotalOrder(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        let sort = [SortKey("departement", ascending: false)]
        let full = try await s.collect(FeatureQuery(table: "communes", properties: ["departement"], sortBy: sort, geometry: .none))
        #expect(full.count == 402)
        let deps = full.map { $0.values[0].description }
        #expect(deps == deps.sorted(by: >))
        var paged: [String] = []
        var offset = 0
        while true {
            let page = try await s.collect(FeatureQuery(table: "communes", properties: ["departement"], sortBy: sort,
                                                        offset: offset, limit: 37, geometry: .none))
            if page.isEmpty { break }
            paged += page.map(\.id)
            offset += 37
        }
        #expect(paged == full.map(\.id))
        #expect(Set(paged).count == 402)
    }

    @Test(arguments: SourceKind.allCases) func outputCRSAndFormats(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        let paris = Filter.comparison(.equal, .property("code"), .literal(.string("75")), matchCase: true)
        let native = try #require(try await s.collect(FeatureQuery(table: "departements", filter: paris)).first)
        let nativeWKB = try #require(native.geometry)
        let g4326 = try WKB.decode(nativeWKB)
        #expect(g4326.type == .multiPolygon)
        let b = try #require(g4326.bbox)
        #expect(b.minX > 2.2 && b.maxX < 2.5)
        let merc = try #require(try await s.collect(FeatureQuery(table: "departements", filter: paris, outputSRID: 3857)).first)
        let mercWKB = try #require(merc.geometry)
        let bm = try #require(try WKB.decode(mercWKB).bbox)
        #expect(bm.minX > 245_000 && bm.maxX < 280_000 && bm.minY > 6_240_000 && bm.maxY < 6_260_000)
        let json = try #require(try await s.collect(FeatureQuery(table: "departements", filter: paris, geometry: .geoJSON(decimals: 6))).first)
        let jsonBytes = try #require(json.geometry)
        let obj = try JSONSerialization.jsonObject(with: Data(jsonBytes)) as? [String: Any]
        #expect(obj?["type"] as? String == "MultiPolygon")
        let simplified = try #require(try await s.collect(FeatureQuery(table: "departements", filter: paris, outputSRID: 3857,
                                                                      simplifyTolerance: 500)).first)
        #expect((simplified.geometry?.count ?? 0) > 0)
        #expect((simplified.geometry?.count ?? 0) < mercWKB.count)
        #expect(native.values.map(\.description) == ["75", "Paris"])
    }

    @Test(arguments: SourceKind.allCases) func injectionStaysAValue(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        let evil = "x'; DROP TABLE communes; --"
        #expect(try await s.count(FeatureQuery(table: "communes",
            filter: .comparison(.equal, .property("nom"), .literal(.string(evil)), matchCase: true))) == 0)
        #expect(try await s.count(FeatureQuery(table: "communes",
            filter: .like(.property("nom"), pattern: "%'; DROP TABLE communes; --%", wildCard: "%", singleChar: "_", escape: "\\", matchCase: false))) == 0)
        #expect(try await s.count(FeatureQuery(table: "communes", filter: .resourceIds(["1) OR (1=1"]))) == 0)
        #expect(try await s.count(FeatureQuery(table: "communes")) == 402)
    }

    @Test(arguments: SourceKind.allCases) func unknownNamesThrowOGCErrors(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        await #expect(throws: OGCError.self) {
            try await s.count(FeatureQuery(table: "communes", filter: .comparison(.equal, .property("population\"; --"), .literal(.int(1)), matchCase: true)))
        }
        await #expect(throws: OGCError.self) {
            try await s.collect(FeatureQuery(table: "communes", sortBy: [SortKey("nope")]))
        }
        await #expect(throws: OGCError.self) {
            try await s.collect(FeatureQuery(table: "communes", filter: .comparison(.equal, .function("sleep", [.literal(.int(10))]), .literal(.int(1)), matchCase: true)))
        }
        await #expect(throws: OGCError.self) {
            try await s.collect(FeatureQuery(table: "communes", filter: .spatial(.intersects, property: "other_geom", geometry: .point(Coord(0, 0)), srid: nil)))
        }
    }

    /// Pages of rows with geometries (PostGIS sorts and pages the keys alone, then reads the rows by key) come
    /// in the order of the same query without geometries, for every kind of sort, and hold their geometries.
    @Test(arguments: SourceKind.allCases) func pagesWithGeometriesKeepTheTotalOrder(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind) else { return }
        let pk = try #require(try await s.schema(of: "communes").primaryKey)
        let sorts: [[SortKey]] = [[], [SortKey("departement", ascending: false)], [SortKey("nom"), SortKey("departement", ascending: false)],
                                  [SortKey(pk, ascending: false)], [SortKey("departement"), SortKey(pk, ascending: false), SortKey("nom")]]
        for sort in sorts {
            let full = try await s.collect(FeatureQuery(table: "communes", properties: ["departement", "nom"], sortBy: sort, geometry: .none))
            #expect(full.count == 402)
            var paged: [Feature] = []
            var offset = 0
            while offset < 1000 {
                var q = FeatureQuery(table: "communes", properties: ["departement", "nom"], sortBy: sort, offset: offset, limit: 150,
                                     geometry: .wkb)
                q.countMatched = true
                let c = try await s.open(q)
                var page: [Feature] = []
                while let b = try await c.next() { page += b }
                if page.isEmpty { break }
                if s.countsMatchedInQuery { #expect(c.matchedCount == 402) }
                paged += page
                offset += 150
            }
            #expect(paged.map(\.id) == full.map(\.id), "\(sort)")
            #expect(paged.map { $0.values.map(\.description) } == full.map { $0.values.map(\.description) })
            #expect(paged.allSatisfy { ($0.geometry?.count ?? 0) > 20 })
        }
    }

    /// `countMatched`: the store counts what matches in the query itself, before offset and limit; the rows are
    /// those of the same query without it.
    @Test(arguments: SourceKind.allCases) func countMatchedInTheQuery(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind, batchSize: 50) else { return }
        var q = FeatureQuery(table: "communes", bbox: BBox(minX: -10, minY: 40, maxX: 10, maxY: 52), offset: 20, limit: 70,
                             geometry: .wkb)
        let expected = try await s.count(q)
        let plain = try await s.collect(q)
        q.countMatched = true
        let c = try await s.open(q)
        var rows: [Feature] = []
        while let b = try await c.next() { rows += b }
        #expect(rows.map(\.id) == plain.map(\.id))
        #expect(rows.map { $0.values.map(\.description) } == plain.map { $0.values.map(\.description) })
        #expect(rows.map(\.geometry) == plain.map(\.geometry))
        #expect(rows.count == 70)
        if s.countsMatchedInQuery {
            #expect(c.matchedCount == expected)
            #expect(expected > 90)
        } else {
            #expect(c.matchedCount == nil)
        }
        // Without geometry, and past the end: no row, so no count.
        q.geometry = .none
        q.offset = 10_000
        let empty = try await s.open(q)
        #expect(try await empty.next() == nil)
        #expect(empty.matchedCount == nil)
    }

    @Test(arguments: SourceKind.allCases) func cursorStreamsInBatches(_ kind: SourceKind) async throws {
        guard let s = try await makeSource(kind, batchSize: 100) else { return }
        // Read to the end: batches of 100, then nil.
        let all = try await s.open(FeatureQuery(table: "communes", geometry: .wkb))
        var sizes: [Int] = []
        while let b = try await all.next() { sizes.append(b.count) }
        #expect(sizes == [100, 100, 100, 100, 2])
        // Close early: the rest is dropped and the connection is reused.
        let cursor = try await s.open(FeatureQuery(table: "communes", geometry: .wkb))
        let first = try #require(try await cursor.next())
        #expect(first.count == 100)
        await cursor.close()
        #expect(try await cursor.next() == nil)
        for _ in 0..<20 {
            let c = try await s.open(FeatureQuery(table: "communes", geometry: .none))
            _ = try await c.next()
            await c.close()
        }
        #expect(try await s.count(FeatureQuery(table: "regions")) == 13)
    }
}
