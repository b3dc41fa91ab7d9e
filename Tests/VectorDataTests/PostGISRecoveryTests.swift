import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

/// A real server restart, run on demand only (it would disturb the other tests running in parallel):
/// `PASSERELLE_PG_RESTART_TEST=1 swift test --filter PostGISRestartTests`.
@Suite struct PostGISRestartTests {
    @Test func recoversAfterARealRestart() async throws {
        guard ProcessInfo.processInfo.environment["PASSERELLE_PG_RESTART_TEST"] == "1", let url = TestPostGIS.url else { return }
        let s = try PostGISSource(connection: try PostgresConnectionInfo.parse(url), maxConnections: 2)
        defer { s.close() }
        #expect(try await s.count(FeatureQuery(table: "regions")) == 13)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/pg-test-cluster.sh").path
        // Foundation's Process never noticed this child's exit inside the test process: spawn and reap by hand.
        let status: Int32 = try await Task.detached {
            var pid: pid_t = 0
            let args = ["/bin/bash", script, "restart"]
            var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
            defer { for a in cargs { free(a) } }
            guard posix_spawn(&pid, "/bin/bash", nil, nil, &cargs, environ) == 0 else { return -1 }
            var st: Int32 = 0
            waitpid(pid, &st, 0)
            return st
        }.value
        #expect(status == 0)
        var errors: [String] = []
        var recovered = false
        for _ in 0..<40 {
            do {
                #expect(try await s.count(FeatureQuery(table: "regions")) == 13)
                recovered = true
                break
            } catch let e as VectorDataError {
                guard case .unavailable = e else { Issue.record("unexpected \(e)"); return }
                errors.append(e.description)
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        #expect(recovered, "errors: \(errors)")
    }
}
