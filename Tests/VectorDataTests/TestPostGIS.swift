import Foundation
import Testing
@testable import VectorData

enum TestPostGIS {
    static func source() async throws -> (any VectorSource)? {
        let env = ProcessInfo.processInfo.environment
        guard env["PASSERELLE_TEST_PG"]?.isEmpty == false else {
            if env["PASSERELLE_SKIP_PG"] == "1" { return nil }
            Issue.record("PASSERELLE_TEST_PG is not set: run scripts/pg-test-cluster.sh start (or set PASSERELLE_SKIP_PG=1)")
            return nil
        }
        return nil  // PostGIS source: not implemented yet
    }
}
