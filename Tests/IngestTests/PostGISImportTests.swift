import Config
import Foundation
import Logging
import PostgresNIO
import Testing
import VectorData
@testable import Ingest

/// Imports into the throwaway PostGIS of the test run (PASSERELLE_TEST_PG, started by scripts/test.sh).
@Suite(.serialized) struct PostGISImportTests {
    static let url = ProcessInfo.processInfo.environment["PASSERELLE_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }

    static func connection() -> PostgresConnectionInfo? {
        guard let url else {
            if ProcessInfo.processInfo.environment["PASSERELLE_SKIP_PG"] != "1" {
                Issue.record("PASSERELLE_TEST_PG is not set: run `eval $(scripts/pg-test-cluster.sh start)` (or set PASSERELLE_SKIP_PG=1)")
            }
            return nil
        }
        return try? PostgresConnectionInfo.parse(url)
    }

    static func importing(_ paths: [String], schema: String) async throws -> Importer.Result {
        var options = ImportOptions(sources: paths, storedData: "test")
        options.schema = schema
        return await Importer(options: options, logger: Logger(label: "test")).run(connection: connection(), connectionEnv: "PASSERELLE_TEST_PG")
    }

    /// Rows of a one-column query.
    static func strings(_ sql: String) async throws -> [String] {
        let info = try #require(connection())
        let conn = try await PostgresConnection.connect(configuration: try info.connectionConfiguration(), id: 1, logger: Logger(label: "test"))
        var out: [String] = []
        do {
            for try await s in try await conn.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test")).decode(String.self) { out.append(s) }
        } catch {
            try? await conn.close()
            throw error
        }
        try await conn.close()
        return out
    }

    static func geojson(_ names: [String], bad: Bool = false) throws -> String {
        var features = names.enumerated().map { i, n in
            let x = 4.8 + Double(i) * 0.1
            return ImportChecksTests.feature(#""nom": "\#(n)""#,
                #"{"type": "Polygon", "coordinates": [[[\#(x), 45.7], [\#(x + 0.05), 45.7], [\#(x + 0.05), 45.75], [\#(x), 45.7]]]}"#)
        }
        if bad { features.append(ImportChecksTests.feature(#""nom": "bowtie""#, ImportChecksTests.bowtie)) }
        return try ImportChecksTests.file("communes.geojson", ImportChecksTests.featureCollection(features))
    }

    @Test func importRefuseAndReplaceAtomically() async throws {
        guard Self.connection() != nil else { return }
        let schema = "ingest_\(UInt32.random(in: 0...UInt32.max))"

        // 1. A first import: two features, keyed, indexed, described.
        let first = try await Self.importing([try Self.geojson(["Lyon", "Villeurbanne"])], schema: schema)
        #expect(first.report.outcome == .integrated, "\(first.report)")
        let stored = try #require(first.storedData)
        let relation = try #require(stored.typeInfos?.relations?.first)
        #expect(relation.name == "communes")
        #expect(relation.primaryKey == ["fid"])
        #expect(relation.attributes["geom"] == "geometry(MultiPolygon,4326)")
        #expect(relation.attributes["nom"] == "character varying")
        #expect(stored.storage.connectionEnv == "PASSERELLE_TEST_PG")
        #expect(stored.storage.schema == schema)
        let bbox = try #require(stored.extent?.bbox)
        #expect(abs(bbox.west - 4.8) < 1e-6 && abs(bbox.east - 4.95) < 1e-6 && abs(bbox.north - 45.75) < 1e-6)
        #expect((stored.size ?? 0) > 0)
        #expect(try await Self.strings("SELECT string_agg(nom, ',' ORDER BY fid) FROM \(schema).communes") == ["Lyon,Villeurbanne"])
        #expect(try await Self.strings("SELECT indexname::text FROM pg_indexes WHERE schemaname = '\(schema)' ORDER BY 1")
                == ["communes_geom_idx", "communes_pkey"])
        // Analysed before the swap: the statistics stay with the table under its final name.
        #expect(try await Self.strings("SELECT string_agg(attname::text, ',' ORDER BY attname) FROM pg_stats WHERE schemaname = '\(schema)' AND tablename = 'communes'")
                == ["fid,geom,nom"])
        // Geometries kept uncompressed (EXTERNAL): nothing to gain from pglz on coordinates, time lost both ways.
        #expect(try await Self.strings("SELECT attstorage::text FROM pg_attribute WHERE attrelid = '\(schema).communes'::regclass AND attname = 'geom'") == ["e"])

        // 2. A refused import leaves the table as it was, and no staging table.
        let refused = try await Self.importing([try Self.geojson(["A", "B", "C"], bad: true)], schema: schema)
        #expect(refused.report.outcome == .refused)
        #expect(refused.storedData == nil)
        #expect(try await Self.strings("SELECT string_agg(nom, ',' ORDER BY fid) FROM \(schema).communes") == ["Lyon,Villeurbanne"])
        #expect(try await Self.strings("SELECT tablename::text FROM pg_tables WHERE schemaname = '\(schema)'") == ["communes"])

        // 3. A new import replaces the table whole.
        let second = try await Self.importing([try Self.geojson(["A", "B", "C"])], schema: schema)
        #expect(second.report.outcome == .integrated)
        #expect(try await Self.strings("SELECT string_agg(nom, ',' ORDER BY fid) FROM \(schema).communes") == ["A,B,C"])
        #expect(try await Self.strings("SELECT tablename::text FROM pg_tables WHERE schemaname = '\(schema)'") == ["communes"])
        #expect(try await Self.strings("SELECT indexname::text FROM pg_indexes WHERE schemaname = '\(schema)' ORDER BY 1")
                == ["communes_geom_idx", "communes_pkey"])
        _ = try await Self.strings("DROP SCHEMA \(schema) CASCADE")
    }

    @Test func anUnreachableDatabaseFailsCleanly() async throws {
        var options = ImportOptions(sources: [try Self.geojson(["Lyon"])], storedData: "test")
        options.schema = "public"
        var info = PostgresConnectionInfo()
        info.host = "127.0.0.1"; info.port = 1; info.database = "nope"
        let r = await Importer(options: options, logger: Logger(label: "test")).run(connection: info, connectionEnv: "X")
        #expect(r.report.outcome == .failed)
        #expect(r.report.error != nil)
        #expect(r.storedData == nil)
    }
}
