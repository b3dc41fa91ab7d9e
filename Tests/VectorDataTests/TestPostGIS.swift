import Foundation
import Testing
@testable import VectorData

enum TestPostGIS {
    static let url = ProcessInfo.processInfo.environment["PASSERELLE_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }

    /// One source for the whole test run (its pool is shared by the tests).
    static let shared: Result<PostGISSource, any Error>? = url.map { url in
        Result { try PostGISSource(connection: try PostgresConnectionInfo.parse(url), statementTimeoutMs: 10_000) }
    }

    static func source(batchSize: Int = 500) async throws -> (any VectorSource)? {
        guard let shared, let url else {
            if ProcessInfo.processInfo.environment["PASSERELLE_SKIP_PG"] == "1" { return nil }
            Issue.record("PASSERELLE_TEST_PG is not set: run `eval $(scripts/pg-test-cluster.sh start)` (or set PASSERELLE_SKIP_PG=1)")
            return nil
        }
        if batchSize != 500 {
            return try PostGISSource(connection: try PostgresConnectionInfo.parse(url), maxConnections: 2, batchSize: batchSize)
        }
        return try shared.get()
    }
}
