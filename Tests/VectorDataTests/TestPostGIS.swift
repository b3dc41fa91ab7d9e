import Foundation
import Testing
@testable import VectorData

enum TestPostGIS {
    /// One source for the whole test run (its pool is shared by the tests).
    static let shared: Result<PostGISSource, any Error>? = {
        guard let url = ProcessInfo.processInfo.environment["PASSERELLE_TEST_PG"], !url.isEmpty else { return nil }
        return Result { try PostGISSource(connection: try PostgresConnectionInfo.parse(url), statementTimeoutMs: 10_000) }
    }()

    static func source() async throws -> (any VectorSource)? {
        guard let shared else {
            if ProcessInfo.processInfo.environment["PASSERELLE_SKIP_PG"] == "1" { return nil }
            Issue.record("PASSERELLE_TEST_PG is not set: run `eval $(scripts/pg-test-cluster.sh start)` (or set PASSERELLE_SKIP_PG=1)")
            return nil
        }
        return try shared.get()
    }
}
