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

/// Caches schemas by config generation, stored data and table.
final class SchemaCache: Sendable {
    private let entries = Mutex<[String: TypeSchema]>([:])
    private let generation = Mutex<Int>(-1)

    func schema(for type: FeatureType, source: any VectorSource, generation gen: Int) async throws -> TypeSchema {
        let key = "\(type.storedData.id)|\(type.table)|\(type.configuration.id)"
        let stale = generation.withLock { g -> Bool in
            if g != gen { g = gen; return true }
            return false
        }
        if stale { entries.withLock { $0.removeAll() } }
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let table: TableSchema
        do {
            table = try await source.schema(of: type.table)
        } catch let e as OGCError {
            throw e
        } catch {
            throw OGCError(.noApplicableCode, "The data of \(type.qualifiedName) is not available")
        }
        var wgs84 = type.configuration.typeInfos.bbox?.bbox
        if wgs84 == nil, let ext = table.extent {
            wgs84 = table.srid == 4326 ? ext : (try? CoordinateTransformer.make(from: table.srid, to: 4326).transform(ext))
        }
        let s = TypeSchema(table: table, wgs84: wgs84)
        entries.withLock { $0[key] = s }
        return s
    }
}
