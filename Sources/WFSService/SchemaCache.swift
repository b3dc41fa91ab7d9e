import Config
import Filters
import Geo
import OGCCore
import Synchronization
import VectorData

/// A feature type's table schema and WGS84 extent, read once per configuration generation (never per request).
struct TypeSchema: Sendable {
    var table: TableSchema
    /// From `type_infos.bbox`, else the table extent transformed to WGS84.
    var wgs84: BBox?

    /// Attribute names and the geometry column: every name a request may use.
    var names: Set<String> { Set(table.fields.map(\.name)).union([table.geometryColumn]) }
    var fieldTypes: [String: FieldType] { Dictionary(table.fields.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a }) }
}

/// Caches table schemas by stored data and table, across configuration generations: a table is read once
/// however many feature types publish it, and a reload does not read it again while its stored data is unchanged
/// (a re-import rewrites the stored data, which makes the next request read the table again). Entries not asked
/// for during a whole generation are dropped at the next one.
final class SchemaCache: Sendable {
    private struct Entry: Sendable {
        var storedData: StoredData
        var table: TableSchema
        /// The table's extent in WGS84.
        var wgs84: BBox?
    }

    private struct State {
        var generation = -1
        var current: [String: Entry] = [:]
        /// The entries of the last generation that asked for any: reused once checked against the stored data.
        var previous: [String: Entry] = [:]
    }

    private let state = Mutex(State())

    func schema(for type: FeatureType, source: any VectorSource, generation gen: Int) async throws -> TypeSchema {
        let key = "\(type.storedData.id)|\(type.table)"
        let cached = state.withLock { s -> Entry? in
            if s.generation != gen {
                if !s.current.isEmpty { s.previous = s.current }
                s.current = [:]
                s.generation = gen
            }
            guard let e = s.current[key] ?? s.previous[key], e.storedData == type.storedData else { return nil }
            s.current[key] = e
            return e
        }
        let entry: Entry
        if let cached {
            entry = cached
        } else {
            let table: TableSchema
            do {
                table = try await source.schema(of: type.table)
            } catch let e as OGCError {
                throw e
            } catch {
                throw OGCError(.noApplicableCode, "The data of \(type.qualifiedName) is not available")
            }
            var wgs84: BBox?
            if let ext = table.extent {
                wgs84 = table.srid == 4326 ? ext : (try? CoordinateTransformer.make(from: table.srid, to: 4326).transform(ext))
            }
            entry = Entry(storedData: type.storedData, table: table, wgs84: wgs84)
            state.withLock { s in if s.generation == gen { s.current[key] = entry } }
        }
        return TypeSchema(table: entry.table, wgs84: type.configuration.typeInfos.bbox?.bbox ?? entry.wgs84)
    }
}
