import Config
import Testing
@testable import VectorData

@Suite struct SourceRegistryTests {
    @Test func keepsSourcesAcrossReloadsAndDropsRemovedOnes() async throws {
        let registry = SourceRegistry(environment: ["PG_X": "postgres://u@127.0.0.1:1/db"])
        let gpkg = StoredData(id: "a", name: "demo", type: .vectorDB, storage: Storage(type: "FILESYSTEM", path: demoGPKG))
        let s1 = try await registry.source(for: gpkg)
        let s2 = try await registry.source(for: gpkg)
        let same = ObjectIdentifier(s1 as AnyObject) == ObjectIdentifier(s2 as AnyObject)
        #expect(same)
        #expect(try await s1.count(FeatureQuery(table: "regions")) == 13)
        var moved = gpkg
        moved.storage.schema = "other"
        let s3 = try await registry.source(for: moved)
        let replaced = ObjectIdentifier(s3 as AnyObject) != ObjectIdentifier(s1 as AnyObject)
        #expect(replaced)
        let pg = StoredData(id: "b", name: "pg", type: .vectorDB, storage: Storage(type: "POSTGRESQL", connectionEnv: "PG_X"))
        #expect(try await registry.source(for: pg) is PostGISSource)
        registry.retain(ids: ["b"])
        #expect(registry.openIDs == ["b"])
        let missing = StoredData(id: "c", name: "pg", type: .vectorDB, storage: Storage(type: "POSTGRESQL", connectionEnv: "NOPE"))
        await #expect(throws: VectorDataError.self) { try await registry.source(for: missing) }
    }

    @Test func unreachableDatabaseGivesUnavailable() async throws {
        // Nothing listens on port 1: a clean `unavailable`, not a hang.
        let s = try PostGISSource(connection: try PostgresConnectionInfo.parse("postgres://postgres@127.0.0.1:1/gis"))
        defer { s.close() }
        do {
            try await s.ping()
            Issue.record("ping succeeded")
        } catch let e as VectorDataError {
            guard case .unavailable = e else { Issue.record("wrong error \(e)"); return }
        }
    }
}
