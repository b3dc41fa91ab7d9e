import Config
import Filters
import Geo
import OGCCore
import VectorData

/// A query checked against its table: every name known, literals typed, CRSs resolved.
struct PlannedQuery: Sendable {
    var type: FeatureType
    var schema: TypeSchema
    /// The query without paging (offset and limit are set per page).
    var query: FeatureQuery
    /// The attribute fields returned, in table order.
    var fields: [FieldInfo]
    var includeGeometry: Bool
    /// The CRS geometries are written in, as the client named it (nil: the native CRS, urn spelling).
    var outputCRS: CRSName
    var outputSRID: Int
    /// GML coordinates written latitude/northing first.
    var swapOutput: Bool
    /// True when the table's geometry type is a multi-geometry: single geometries are written as one-member multis.
    var promoteToMulti: Bool
}

enum QueryPlanner {
    /// The attribute fields a type exposes (the primary key only when `expose_primary_key` is set).
    static func exposedFields(_ type: FeatureType, _ schema: TableSchema) -> [FieldInfo] {
        let hidePK = type.usedData.exposePrimaryKey != true
        return schema.fields.filter { !(hidePK && $0.name == schema.primaryKey) }
    }

    static func plan(_ spec: QuerySpec, schema: TypeSchema, format: OutputFormat, limits: Limits) throws(OGCError) -> PlannedQuery {
        let table = schema.table
        let fields = exposedFields(spec.type, table)
        let fieldNames = Set(fields.map(\.name))
        let allNames = fieldNames.union([table.geometryColumn])

        // Properties
        var outFields = fields
        var includeGeometry = true
        if let props = spec.propertyNames {
            for p in props where !allNames.contains(p) {
                throw OGCError.invalid("propertyName", "\(spec.type.qualifiedName) has no property \(p.prefix(100))")
            }
            outFields = fields.filter { props.contains($0.name) }
            includeGeometry = props.contains(table.geometryColumn)
        }

        // Filter
        var filter = spec.filter
        if let f = filter {
            let locator = spec.filterLocator
            for n in f.propertyNames where !allNames.contains(n) {
                throw OGCError.invalid(locator, "\(spec.type.qualifiedName) has no property \(n.prefix(100))")
            }
            var typed = try f.coercingLiterals(to: Dictionary(fields.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a }),
                                               locator: locator)
            typed = resolveResourceIds(typed, type: spec.type)
            filter = typed
        }
        if let b = spec.bbox {
            let swap: Bool
            let srid: Int
            if let crs = b.crs {
                swap = crs.swapsAxesInWFS
                srid = crs.isCRS84 ? 4326 : crs.epsgCode!
                guard CRSInfo.lookup(crs) != nil else { throw OGCError.invalid("BBOX", "Unknown CRS \(crs)") }
            } else {
                // The default CRS, advertised as urn:ogc:def:crs:EPSG::<native>: its official axis order.
                swap = CRSInfo.lookup(epsg: table.srid)?.isNorthFirst ?? false
                srid = table.srid
            }
            let w = b.written
            let box = swap ? BBox(minX: w.minY, minY: w.minX, maxX: w.maxY, maxY: w.maxX) : w
            let bf = Filter.bbox(property: table.geometryColumn, box, srid: srid == table.srid ? nil : srid)
            filter = filter.map { .and([$0, bf]) } ?? bf
        }
        filter = filter?.mapSpatialProperty(default: table.geometryColumn)
        if let f = filter {
            for n in f.spatialPropertyNames where n != table.geometryColumn {
                throw OGCError.invalid(spec.filterLocator, "\(n.prefix(100)) is not the geometry property of \(spec.type.qualifiedName)")
            }
        }

        // Sort, with the primary key last for a total order.
        var sort: [SortKey] = []
        for k in spec.sortBy {
            guard fieldNames.contains(k.property) else {
                throw OGCError.invalid("sortBy", "\(spec.type.qualifiedName) has no sortable property \(k.property.prefix(100))")
            }
            sort.append(k)
        }
        if let pk = table.primaryKey, !sort.contains(where: { $0.property == pk }) { sort.append(SortKey(pk)) }

        // Output CRS
        let native = CRSName(authority: "EPSG", code: String(table.srid), spelling: .urn)
        var outputCRS = native
        if let s = spec.srsName {
            guard CRSInfo.lookup(s) != nil else { throw OGCError.invalid("srsName", "Unknown CRS \(s)") }
            outputCRS = s
        }
        var outputSRID = outputCRS.isCRS84 ? 4326 : (outputCRS.epsgCode ?? table.srid)
        var swap = outputCRS.swapsAxesInWFS
        let geometryOutput: GeometryOutput
        switch format {
        case .geoJSON:
            if spec.srsName == nil { outputSRID = 4326 }
            swap = false
            let degrees = CRSInfo.lookup(epsg: outputSRID)?.units == .degrees
            geometryOutput = includeGeometry ? .geoJSON(decimals: degrees ? 7 : 2) : .none
        case .gml32, .gml311, .csv:
            geometryOutput = includeGeometry ? .wkb : .none
        }
        let query = FeatureQuery(table: table.name, properties: outFields.map(\.name), filter: filter, sortBy: sort,
                                 outputSRID: outputSRID == table.srid ? nil : outputSRID, geometry: geometryOutput)
        let multi = [GeometryType.multiPoint, .multiLineString, .multiPolygon].contains(table.geometryType)
        return PlannedQuery(type: spec.type, schema: schema, query: query, fields: outFields, includeGeometry: includeGeometry,
                            outputCRS: outputCRS, outputSRID: outputSRID, swapOutput: swap, promoteToMulti: multi)
    }

    /// `ResourceId rid="communes.12"` → the key value `12` for the type `communes`; ids of other types match nothing.
    static func resolveResourceIds(_ f: Filter, type: FeatureType) -> Filter {
        switch f {
        case .resourceIds(let ids):
            let prefix = type.localName + "."
            let mine = ids.compactMap { id -> String? in
                if id.hasPrefix(prefix) { return String(id.dropFirst(prefix.count)) }
                return nil
            }
            return mine.isEmpty ? .exclude : .resourceIds(mine)
        case .and(let fs): return .and(fs.map { resolveResourceIds($0, type: type) })
        case .or(let fs): return .or(fs.map { resolveResourceIds($0, type: type) })
        case .not(let g): return .not(resolveResourceIds(g, type: type))
        default: return f
        }
    }
}

extension Filter {
    /// Spatial operators without a property get `geometryColumn`.
    func mapSpatialProperty(default geometryColumn: String) -> Filter {
        switch self {
        case .and(let fs): return .and(fs.map { $0.mapSpatialProperty(default: geometryColumn) })
        case .or(let fs): return .or(fs.map { $0.mapSpatialProperty(default: geometryColumn) })
        case .not(let g): return .not(g.mapSpatialProperty(default: geometryColumn))
        case .spatial(let op, nil, let g, let s): return .spatial(op, property: geometryColumn, geometry: g, srid: s)
        case .bbox(nil, let b, let s): return .bbox(property: geometryColumn, b, srid: s)
        case .distance(let op, nil, let g, let s, let d, let u):
            return .distance(op, property: geometryColumn, geometry: g, srid: s, distance: d, units: u)
        default: return self
        }
    }

    /// The property names used by spatial operators.
    var spatialPropertyNames: [String] {
        switch self {
        case .and(let fs), .or(let fs): return fs.flatMap(\.spatialPropertyNames)
        case .not(let g): return g.spatialPropertyNames
        case .spatial(_, let p, _, _), .bbox(let p, _, _), .distance(_, let p, _, _, _, _): return p.map { [$0] } ?? []
        default: return []
        }
    }
}
