import Foundation
import Testing
@testable import VectorData

@Suite struct PostGISRecoveryTests {
    /// The server closing our connections (as in a restart: SQLSTATE 57P01) gives clean `unavailable` errors
    /// at worst, and the pool recovers by itself.
    @Test func recoversAfterConnectionsAreKilled() async throws {
        guard let url = TestPostGIS.url else {
            if ProcessInfo.processInfo.environment["PASSERELLE_SKIP_PG"] != "1" { Issue.record("PASSERELLE_TEST_PG is not set") }
            return
        }
        let info = try PostgresConnectionInfo.parse(url)
        let victim = try PostGISSource(connection: info, maxConnections: 2, applicationName: "passerelle-recovery-test")
        let admin = try PostGISSource(connection: info, maxConnections: 1, applicationName: "passerelle-admin")
        defer { victim.close(); admin.close() }
        #expect(try await victim.count(FeatureQuery(table: "regions")) == 13)
        let killed = try await admin.rows("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'passerelle-recovery-test'
            """)
        #expect(killed.count >= 1)
        var recovered = false
        for _ in 0..<10 {
            do {
                #expect(try await victim.count(FeatureQuery(table: "regions")) == 13)
                recovered = true
                break
            } catch let e as VectorDataError {
                guard case .unavailable = e else { Issue.record("unexpected \(e)"); return }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        #expect(recovered)
    }

    @Test func statementTimeoutIsApplied() async throws {
        guard let url = TestPostGIS.url else { return }
        let s = try PostGISSource(connection: try PostgresConnectionInfo.parse(url), statementTimeoutMs: 1234, maxConnections: 1)
        defer { s.close() }
        let rows = try await s.rows("SHOW statement_timeout")
        #expect(try rows.first?.decode(String.self) == "1234ms")
    }
}
