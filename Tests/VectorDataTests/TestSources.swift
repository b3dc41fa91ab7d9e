import Foundation
import Testing
@testable import VectorData

enum SourceKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case geopackage, postgis
    var testDescription: String { rawValue }
}

let demoGPKG = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("config/data/france-demo.gpkg").path

/// The source under test; nil when the PostGIS tests are explicitly skipped (PASSERELLE_SKIP_PG=1).
/// Without PASSERELLE_TEST_PG and without the skip flag, the PostGIS tests fail.
func makeSource(_ kind: SourceKind, batchSize: Int = 500) async throws -> (any VectorSource)? {
    switch kind {
    case .geopackage:
        return GeoPackageSource(path: demoGPKG, batchSize: batchSize)
    case .postgis:
        return try await TestPostGIS.source(batchSize: batchSize)
    }
}
