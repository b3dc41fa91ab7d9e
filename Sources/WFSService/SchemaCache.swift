import Config
import Filters
import Geo
import OGCCore
import ServiceKit
import VectorData

/// A feature type's table schema and WGS84 extent, read once per stored data and table (never per request).
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

    private let entries = GenerationCache<String, Entry>()

    func schema(for type: FeatureType, source: any VectorSource, generation gen: Int) async throws -> TypeSchema {
        let key = "\(type.storedData.id)|\(type.table)"
        let entry: Entry
        if let cached = entries.value(key, generation: gen, isValid: { $0.storedData == type.storedData }) {
            entry = cached
        } else {
            let table: TableSchema
            do {
                table = try await source.schema(of: type.table)
            } catch let e as OGCError {
                throw e
            } catch let e as any OGCErrorConvertible {
                throw e   // the dispatcher's mapping: an unreachable store is a 503
            } catch {
                throw OGCError(.noApplicableCode, "The data of \(type.qualifiedName) is not available")
            }
            var wgs84: BBox?
            if let ext = table.extent {
                wgs84 = table.srid == 4326 ? ext : (try? CoordinateTransformer.make(from: table.srid, to: 4326).transform(ext))
            }
            entry = Entry(storedData: type.storedData, table: table, wgs84: wgs84)
            entries.store(entry, for: key, generation: gen)
        }
        return TypeSchema(table: entry.table, wgs84: type.configuration.typeInfos.bbox?.bbox ?? entry.wgs84)
    }
}
