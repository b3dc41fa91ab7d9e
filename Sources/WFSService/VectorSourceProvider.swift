import Config
import VectorData

/// Gives the vector source of a stored data (a PostGIS database or a GeoPackage file). The server passes
/// VectorData's source registry, which conforms to this.
public protocol VectorSourceProvider: Sendable {
    func source(for storedData: StoredData) async throws -> any VectorSource
}

extension SourceRegistry: VectorSourceProvider {}
