import Filters
import OGCCore

/// The columns and ordering of a feature query, checked against the table schema (shared by both stores).
struct QueryPlan: Sendable {
    let schema: TableSchema
    /// The attribute columns returned, in order.
    let fields: [FieldInfo]
    let wantsGeometry: Bool
    let sortBy: [SortKey]
    let totalOrder: Bool

    init(query q: FeatureQuery, schema s: TableSchema) throws {
        schema = s
        if let props = q.properties {
            fields = try props.map { name in
                guard let f = s.field(name) else { throw OGCError.invalid("PROPERTYNAME", "Unknown property \(name)") }
                return f
            }
        } else {
            fields = s.fields
        }
        for k in q.sortBy where s.field(k.property) == nil && k.property != s.primaryKey {
            throw OGCError.invalid("SORTBY", "Unknown property \(k.property)")
        }
        sortBy = q.sortBy
        totalOrder = q.totalOrder
        if case .none = q.geometry { wantsGeometry = false } else { wantsGeometry = true }
    }

    /// The key column (first), the attributes, then the geometry column.
    func selectList(dialect: SQLDialect, geometrySQL: String? = nil) -> String {
        var cols = [schema.primaryKey.map(quoteIdentifier) ?? (dialect == .sqlite ? "rowid" : "NULL")]
        cols += fields.map { quoteIdentifier($0.name) }
        if wantsGeometry { cols.append(geometrySQL ?? quoteIdentifier(schema.geometryColumn)) }
        return cols.joined(separator: ", ")
    }

    /// ORDER BY the sort keys then the primary key, for a total order (stable paging); nothing when the query
    /// asks for no order.
    var orderBy: String {
        if !totalOrder && sortBy.isEmpty { return "" }
        var keys = sortBy.map { quoteIdentifier($0.property) + ($0.ascending ? " ASC" : " DESC") }
        if let pk = schema.primaryKey, !sortBy.contains(where: { $0.property == pk }) { keys.append(quoteIdentifier(pk) + " ASC") }
        return keys.isEmpty ? "" : " ORDER BY " + keys.joined(separator: ", ")
    }
}
