import Config
import Foundation
import Synchronization

/// The open vector sources, one per stored data, shared by all services. A source is kept across config
/// reloads as long as its stored data keeps the same id and storage (so its connection pool survives).
public final class SourceRegistry: VectorSourceProvider {
    private struct Entry {
        var storage: Storage
        var source: any VectorSource
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let statementTimeoutMs: Int
    private let environment: [String: String]

    public init(statementTimeoutMs: Int = 30_000, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.statementTimeoutMs = statementTimeoutMs
        self.environment = environment
    }

    /// The source of a VECTOR-DB stored data (PostGIS for storage type POSTGRESQL, GeoPackage for FILESYSTEM).
    public func source(for data: StoredData) async throws -> any VectorSource {
        try entries.withLock { entries in
            if let e = entries[data.id], e.storage == data.storage { return e.source }
            let made = try makeSource(data)
            if let old = entries[data.id] { Self.close(old.source) }
            entries[data.id] = Entry(storage: data.storage, source: made)
            return made
        }
    }

    private func makeSource(_ data: StoredData) throws -> any VectorSource {
        switch data.storage.type.uppercased() {
        case "POSTGRESQL":
            return try PostGISSource(storage: data.storage, statementTimeoutMs: statementTimeoutMs, environment: environment)
        case "FILESYSTEM":
            guard let path = data.storage.path, !path.isEmpty else {
                throw VectorDataError.unavailable("stored data \(data.name) has no storage path")
            }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw VectorDataError.unavailable("GeoPackage of stored data \(data.name) is not readable")
            }
            return GeoPackageSource(path: path)
        default:
            throw VectorDataError.unavailable("storage type \(data.storage.type) is not a vector store")
        }
    }

    /// Closes the sources whose stored data is not in `ids` (after a config reload).
    public func retain(ids: Set<String>) {
        let dropped = entries.withLock { entries in
            let gone = entries.filter { !ids.contains($0.key) }
            for k in gone.keys { entries.removeValue(forKey: k) }
            return gone.values.map(\.source)
        }
        for s in dropped { Self.close(s) }
    }

    /// The databases of each open PostgreSQL store (primary and read replicas, which are up), by stored data id.
    public var readTargets: [String: [ReadTargetStatus]] {
        entries.withLock { entries in
            entries.compactMapValues { ($0.source as? PostGISSource)?.readTargets }
        }
    }

    /// The ids of the stored data with an open source.
    public var openIDs: Set<String> { entries.withLock { Set($0.keys) } }

    private static func close(_ s: any VectorSource) {
        if let p = s as? PostGISSource { p.close() }
        if let g = s as? GeoPackageSource { g.close() }
    }
}
