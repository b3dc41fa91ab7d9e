import Foundation
import Testing
@testable import VectorData

/// Reads spread over read replicas, against the test cluster and its streaming replica
/// (`scripts/pg-test-cluster.sh replica-start`, which scripts/test.sh runs: PASSERELLE_TEST_PG_REPLICA).
@Suite struct PostGISReadReplicaTests {
    static let replicaURL = ProcessInfo.processInfo.environment["PASSERELLE_TEST_PG_REPLICA"].flatMap { $0.isEmpty ? nil : $0 }

    static func urls() -> (primary: String, replica: String)? {
        guard let primary = TestPostGIS.url, let replica = replicaURL else {
            if ProcessInfo.processInfo.environment["PASSERELLE_SKIP_PG"] != "1" {
                Issue.record("PASSERELLE_TEST_PG and PASSERELLE_TEST_PG_REPLICA must be set: run `eval $(scripts/pg-test-cluster.sh start)` and `eval $(scripts/pg-test-cluster.sh replica-start)` (or set PASSERELLE_SKIP_PG=1)")
            }
            return nil
        }
        return (primary, replica)
    }

    @Test func readsGoToTheReplicaInHotStandby() async throws {
        guard let (primary, replica) = Self.urls() else { return }
        let s = try PostGISSource(connection: try .parse(primary), primaryName: "PRIMARY",
                                  replicas: [(name: "REPLICA", connection: try .parse(replica))], maxConnections: 2)
        defer { s.close() }
        for _ in 0..<5 { #expect(try await s.count(FeatureQuery(table: "regions")) == 13) }
        let inRecovery = try await s.rows("SELECT pg_is_in_recovery()")
        #expect(try inRecovery.first?.decode(Bool.self) == true)      // answered by the standby
        let byName = Dictionary(uniqueKeysWithValues: s.readTargets.map { ($0.name, $0) })
        // Every read, but one that waited too long for a connection on a busy machine and moved on.
        #expect((byName["PRIMARY"]?.reads ?? 99) <= 1)
        #expect((byName["REPLICA"]?.reads ?? 0) >= 6)
        #expect(s.readTargets.allSatisfy { $0.up && $0.inFlight == 0 })
    }

    /// A replica that refuses connections: every read still answers (from the other replica or the primary),
    /// and the dead one is marked down and left out; a cursor read to the end frees its target.
    @Test func aReplicaThatRefusesConnectionsIsSkipped() async throws {
        guard let (primary, replica) = Self.urls() else { return }
        let s = try PostGISSource(connection: try .parse(primary), primaryName: "PRIMARY",
                                  replicas: [(name: "DEAD", connection: try .parse("postgres://postgres@127.0.0.1:1/gis")),
                                             (name: "REPLICA", connection: try .parse(replica))],
                                  maxConnections: 2, replicaProbeInterval: .seconds(30))
        defer { s.close() }
        for _ in 0..<3 { #expect(try await s.count(FeatureQuery(table: "departements")) == 96) }
        // The first read to try it waited for a connection, moved on, and had it probed: down within a second.
        let deadline = ContinuousClock.now + .seconds(5)
        while s.readTargets.first(where: { $0.name == "DEAD" })?.up != false, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let triedDead = s.readTargets.first { $0.name == "DEAD" }?.reads ?? 0
        #expect(triedDead >= 1)
        for _ in 0..<6 { #expect(try await s.count(FeatureQuery(table: "departements")) == 96) }
        var q = FeatureQuery(table: "regions")
        q.geometry = .none
        let cursor = try await s.open(q)
        var n = 0
        while let batch = try await cursor.next() { n += batch.count }
        #expect(n == 13)
        let byName = Dictionary(uniqueKeysWithValues: s.readTargets.map { ($0.name, $0) })
        #expect(byName["DEAD"]?.up == false)
        #expect(byName["DEAD"]?.reason != nil)
        #expect(byName["DEAD"]?.reads == triedDead)                  // left out once down
        #expect(byName["REPLICA"]?.up == true)
        #expect(s.readTargets.allSatisfy { $0.inFlight == 0 })
        // A check probes it again, and it stays down.
        let checked = await s.checkReadTargets()
        #expect(checked.first { $0.name == "DEAD" }?.up == false)
    }

    /// With every replica refusing, reads fall back to the primary.
    @Test func noReplicaUpFallsBackToThePrimary() async throws {
        guard let (primary, _) = Self.urls() else { return }
        let s = try PostGISSource(connection: try .parse(primary), primaryName: "PRIMARY",
                                  replicas: [(name: "DEAD", connection: try .parse("postgres://postgres@127.0.0.1:1/gis"))],
                                  maxConnections: 2, replicaProbeInterval: .seconds(30))
        defer { s.close() }
        for _ in 0..<3 { #expect(try await s.count(FeatureQuery(table: "regions")) == 13) }
        let inRecovery = try await s.rows("SELECT pg_is_in_recovery()")
        #expect(try inRecovery.first?.decode(Bool.self) == false)     // the primary
        #expect(s.readTargets.map(\.up) == [true, false])
        #expect(s.readTargets[0].reads >= 4)
    }
}
