import Filters
import Geo
import OGCCore

/// A value sent alongside SQL text as a bound parameter.
public enum SQLBind: Sendable, Equatable {
    case value(Value)
    case blob([UInt8])
}

/// SQL text with its bound parameters.
public struct CompiledSQL: Sendable, Equatable {
    public var sql: String
    public var binds: [SQLBind]
}

public enum SQLDialect: Sendable {
    /// PostgreSQL + PostGIS: `$n` placeholders, ST_* functions.
    case postgis
    /// SQLite (GeoPackage): `?` placeholders, spatial predicates through Passerelle's SQL functions
    /// (`passerelle_spatial`, `passerelle_distance`) evaluated with GEOS, BBOX through the rtree.
    case sqlite
}

/// Quotes an SQL identifier. Callers only pass names checked against a schema.
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingAll("\"", with: "\"\"") + "\""
}

extension String {
    func replacingAll(_ a: Character, with b: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}

/// Turns a `Filter` into a WHERE clause for one table. Property names must exist in the schema (attributes,
/// primary key or geometry column), else it throws `OGCError(.invalidParameterValue, locator: "FILTER")`.
/// Literal values never enter the SQL text: they are bound.
public struct SQLFilterCompiler {
    public let dialect: SQLDialect
    public let schema: TableSchema
    /// The number of binds already used by the enclosing statement (for `$n` numbering).
    private(set) var binds: [SQLBind] = []
    private let bindOffset: Int
    /// SQLite: whether the table has its GeoPackage rtree (else envelopes are tested row by row).
    let hasSpatialIndex: Bool

    public init(dialect: SQLDialect, schema: TableSchema, bindOffset: Int = 0, hasSpatialIndex: Bool = true) {
        self.dialect = dialect; self.schema = schema; self.bindOffset = bindOffset; self.hasSpatialIndex = hasSpatialIndex
    }

    /// Compiles `filter` into a boolean SQL expression.
    public static func compile(_ filter: Filter, dialect: SQLDialect, schema: TableSchema, bindOffset: Int = 0,
                               hasSpatialIndex: Bool = true) throws -> CompiledSQL {
        var c = SQLFilterCompiler(dialect: dialect, schema: schema, bindOffset: bindOffset, hasSpatialIndex: hasSpatialIndex)
        let sql = try c.boolean(filter)
        return CompiledSQL(sql: sql, binds: c.binds)
    }

    static func filterError(_ message: String) -> OGCError {
        OGCError(.invalidParameterValue, locator: "FILTER", message)
    }

    // MARK: binds

    private mutating func bind(_ b: SQLBind, cast: String? = nil) -> String {
        binds.append(b)
        switch dialect {
        case .sqlite: return "?"
        case .postgis: return "$\(bindOffset + binds.count)" + (cast.map { "::" + $0 } ?? "")
        }
    }

    private static func pgType(_ t: FieldType) -> String {
        switch t {
        case .string: "text"
        case .integer: "bigint"
        case .real: "double precision"
        case .boolean: "boolean"
        case .date: "date"
        case .dateTime: "timestamp"
        case .binary: "bytea"
        }
    }

    private static func pgType(of v: Value) -> String? {
        switch v {
        case .null: nil
        case .string: "text"
        case .int: "bigint"
        case .double: "double precision"
        case .bool: "boolean"
        }
    }

    /// A literal coerced to a column's type when it is compared with that column.
    private static func coerce(_ v: Value, to t: FieldType?) -> Value {
        guard let t else { return v }
        switch (t, v) {
        case (.integer, .string(let s)):
            if let i = Int64(s.trimmingSpaces) { return .int(i) }
            if let d = Double(s.trimmingSpaces) { return .double(d) }
            return v
        case (.integer, .double(let d)) where d == d.rounded() && abs(d) < 9e15: return .int(Int64(d))
        case (.real, .string(let s)): return Double(s.trimmingSpaces).map(Value.double) ?? v
        case (.real, .int(let i)): return .double(Double(i))
        case (.string, .int), (.string, .double), (.string, .bool): return .string(v.description)
        case (.boolean, .string(let s)):
            switch s.lowercased() { case "true", "1", "t": return .bool(true); case "false", "0", "f": return .bool(false); default: return v }
        case (.boolean, .int(let i)): return .bool(i != 0)
        default: return v
        }
    }

    // MARK: names

    /// The type of a column the filter may name; throws for unknown names.
    private func columnType(_ name: String) throws -> FieldType {
        if let f = schema.field(name) { return f.type }
        if name == schema.primaryKey { return .integer }
        throw Self.filterError("Unknown property \(name)")
    }

    private func geometryColumn(_ property: String?) throws -> String {
        guard let p = property, !p.isEmpty else { return quoteIdentifier(schema.geometryColumn) }
        // Accept a namespace prefix or an XPath tail ("ns:geom", "feature/geom").
        let tail = p.split(whereSeparator: { $0 == ":" || $0 == "/" }).last.map(String.init) ?? p
        guard tail == schema.geometryColumn else { throw Self.filterError("Unknown geometry property \(p)") }
        return quoteIdentifier(schema.geometryColumn)
    }

    // MARK: expressions

    /// The SQL of an expression and the column type it carries (when it is a column).
    private mutating func expression(_ e: Expression, expected: FieldType? = nil) throws -> (String, FieldType?) {
        switch e {
        case .property(let name):
            let t = try columnType(name)
            var sql = quoteIdentifier(name)
            if dialect == .postgis && t == .integer && name == schema.primaryKey { sql += "::bigint" }
            return (sql, t)
        case .literal(let v):
            let c = Self.coerce(v, to: expected)
            if case .null = c { return ("NULL", nil) }
            let cast = dialect == .postgis ? (expected.map(Self.pgType) ?? Self.pgType(of: c)) : nil
            return (bind(.value(c), cast: cast), nil)
        case .function(let name, let args):
            let lname = name.lowercased()
            guard ["lower", "upper", "strtolowercase", "strtouppercase"].contains(lname), args.count == 1 else {
                throw Self.filterError("Unsupported function \(name)")
            }
            let (a, _) = try expression(args[0], expected: .string)
            let fn = lname.contains("lower") ? "lower" : "upper"
            return (dialect == .postgis ? "\(fn)((\(a))::text)" : "\(fn)(\(a))", .string)
        case .arithmetic(let op, let a, let b):
            guard "+-*/".contains(op) else { throw Self.filterError("Unsupported operator \(op)") }
            let (sa, ta) = try expression(a, expected: .real)
            let (sb, tb) = try expression(b, expected: .real)
            let t: FieldType = (ta == .integer && tb != .real) || (tb == .integer && ta != .real) ? .integer : .real
            return ("(\(sa) \(op) \(sb))", t)
        }
    }

    /// Two operands compiled together so that a literal takes the type of the column it is compared with.
    private mutating func pair(_ a: Expression, _ b: Expression) throws -> (String, String, FieldType?) {
        if case .literal = a, case .literal = b {
            let (sa, _) = try expression(a); let (sb, _) = try expression(b)
            return (sa, sb, nil)
        }
        if case .literal = a {
            let (sb, tb) = try expression(b)
            let (sa, _) = try expression(a, expected: tb)
            return (sa, sb, tb)
        }
        let (sa, ta) = try expression(a)
        let (sb, tb) = try expression(b, expected: ta)
        return (sa, sb, ta ?? tb)
    }

    // MARK: predicates

    private mutating func boolean(_ f: Filter) throws -> String {
        switch f {
        case .and(let fs):
            guard !fs.isEmpty else { return "1=1" }
            return "(" + (try fs.map { try boolean($0) }).joined(separator: " AND ") + ")"
        case .or(let fs):
            guard !fs.isEmpty else { return "1=0" }
            return "(" + (try fs.map { try boolean($0) }).joined(separator: " OR ") + ")"
        case .not(let g):
            return "(NOT \(try boolean(g)))"
        case .include:
            return "1=1"
        case .exclude:
            return "1=0"
        case .comparison(let op, let a, let b, let matchCase):
            var (sa, sb, t) = try pair(a, b)
            if !matchCase && (t == .string || t == nil) {
                sa = dialect == .postgis ? "lower((\(sa))::text)" : "lower(\(sa))"
                sb = dialect == .postgis ? "lower((\(sb))::text)" : "lower(\(sb))"
            }
            // Comparisons with a NULL literal are written as IS [NOT] NULL.
            if sb == "NULL" && (op == .equal || op == .notEqual) { return "(\(sa) IS \(op == .equal ? "" : "NOT ")NULL)" }
            return "(\(sa) \(op.rawValue) \(sb))"
        case .between(let e, let lower, let upper):
            let (se, t) = try expression(e)
            let (sl, _) = try expression(lower, expected: t)
            let (su, _) = try expression(upper, expected: t)
            return "(\(se) BETWEEN \(sl) AND \(su))"
        case .isNull(let e):
            let (se, _) = try expression(e)
            return "(\(se) IS NULL)"
        case .like(let e, let pattern, let wild, let single, let esc, let matchCase):
            let (se, _) = try expression(e)
            return likeSQL(se, pattern: pattern, wild: wild, single: single, esc: esc, matchCase: matchCase)
        case .resourceIds(let ids):
            guard let pk = schema.primaryKey else { throw Self.filterError("This layer has no feature identifiers") }
            let pkType = schema.field(pk)?.type ?? .integer
            var values: [Value] = []
            for raw in ids {
                let local = raw.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? raw
                let v = Self.coerce(.string(local), to: pkType)
                if pkType == .integer, case .string = v { continue }  // cannot match an integer key
                values.append(v)
            }
            guard !values.isEmpty else { return "1=0" }
            let cast = dialect == .postgis ? Self.pgType(pkType) : nil
            let list = values.map { bind(.value($0), cast: cast) }.joined(separator: ", ")
            return "(\(quoteIdentifier(pk)) IN (\(list)))"
        case .bbox(let property, let box, let srid):
            let col = try geometryColumn(property)
            let env = Geometry.polygon([[Coord(box.minX, box.minY), Coord(box.maxX, box.minY), Coord(box.maxX, box.maxY),
                                         Coord(box.minX, box.maxY), Coord(box.minX, box.minY)]])
            switch dialect {
            case .postgis:
                let lit = try literalGeometry(env, srid: srid)
                return "(\(col) && \(lit) AND ST_Intersects(\(col), \(lit)))"
            case .sqlite:
                let native = try nativeGeometry(env, srid: srid)
                guard let nb = native.bbox else { return "1=0" }
                return "(\(rtreeCondition(nb)) AND passerelle_spatial('intersects', \(col), \(bind(.blob(WKB.encode(native))))))"
            }
        case .spatial(let op, let property, let geometry, let srid):
            let col = try geometryColumn(property)
            switch dialect {
            case .postgis:
                let fn: String = switch op {
                case .equals: "ST_Equals"
                case .disjoint: "ST_Disjoint"
                case .touches: "ST_Touches"
                case .within: "ST_Within"
                case .overlaps: "ST_Overlaps"
                case .crosses: "ST_Crosses"
                case .intersects: "ST_Intersects"
                case .contains: "ST_Contains"
                }
                return "\(fn)(\(col), \(try literalGeometry(geometry, srid: srid)))"
            case .sqlite:
                let native = try nativeGeometry(geometry, srid: srid)
                // Use the rtree to skip far features when the predicate needs an interaction. (Placeholders
                // are positional: bind in the order of the text.)
                let prefilter = op != .disjoint ? native.bbox.map { rtreeCondition($0) + " AND " } : nil
                let test = "passerelle_spatial('\(op.rawValue.lowercased())', \(col), \(bind(.blob(WKB.encode(native)))))"
                return "(" + (prefilter ?? "") + test + ")"
            }
        case .distance(let op, let property, let geometry, let srid, let distance, _):
            let col = try geometryColumn(property)
            guard distance.isFinite, distance >= 0 else { throw Self.filterError("Invalid distance") }
            switch dialect {
            case .postgis:
                let lit = try literalGeometry(geometry, srid: srid)
                let d = bind(.value(.double(distance)), cast: "double precision")
                return op == .dWithin ? "ST_DWithin(\(col), \(lit), \(d))" : "(NOT ST_DWithin(\(col), \(lit), \(d)))"
            case .sqlite:
                let native = try nativeGeometry(geometry, srid: srid)
                let g = bind(.blob(WKB.encode(native)))
                let d = bind(.value(.double(distance)))
                return "(passerelle_distance(\(col), \(g)) \(op == .dWithin ? "<=" : ">") \(d))"
            }
        }
    }

    /// PostGIS: a literal geometry sent as WKB, placed in the column's CRS.
    private mutating func literalGeometry(_ g: Geometry, srid: Int?) throws -> String {
        let s = srid ?? schema.srid
        let wkb = bind(.blob(WKB.encode(g)), cast: "bytea")
        let lit = "ST_GeomFromWKB(\(wkb), \(s))"
        return s == schema.srid ? lit : "ST_Transform(\(lit), \(schema.srid))"
    }

    /// SQLite: a literal geometry reprojected into the native CRS here, with PROJ.
    private func nativeGeometry(_ g: Geometry, srid: Int?) throws -> Geometry {
        guard let s = srid, s != schema.srid else { return g }
        do { return try CoordinateTransformer.make(from: s, to: schema.srid).transform(g) }
        catch { throw Self.filterError("Cannot reproject the filter geometry from EPSG:\(s): \(error.message)") }
    }

    /// SQLite: the rows whose rtree envelope meets `b` (the GeoPackage spatial index).
    private mutating func rtreeCondition(_ b: BBox) -> String {
        guard hasSpatialIndex else {
            return "passerelle_envelope_intersects(\(quoteIdentifier(schema.geometryColumn)), \(bind(.value(.double(b.minX)))), \(bind(.value(.double(b.minY)))), \(bind(.value(.double(b.maxX)))), \(bind(.value(.double(b.maxY)))))"
        }
        let pk = quoteIdentifier(schema.primaryKey ?? "rowid")
        let rtree = quoteIdentifier("rtree_\(schema.name)_\(schema.geometryColumn)")
        return "\(pk) IN (SELECT id FROM \(rtree) WHERE maxx >= \(bind(.value(.double(b.minX)))) AND minx <= \(bind(.value(.double(b.maxX)))) AND maxy >= \(bind(.value(.double(b.minY)))) AND miny <= \(bind(.value(.double(b.maxY)))))"
    }

    private mutating func likeSQL(_ se: String, pattern: String, wild: Character, single: Character, esc: Character,
                                  matchCase: Bool) -> String {
        // SQLite's GLOB is the case-sensitive matcher; LIKE is case-insensitive (ASCII) there.
        let useGlob = dialect == .sqlite && matchCase
        var out = ""
        var escaping = false
        for c in pattern {
            if escaping {
                out += Self.literalPatternChar(c, glob: useGlob)
                escaping = false
            } else if c == esc {
                escaping = true
            } else if c == wild {
                out += useGlob ? "*" : "%"
            } else if c == single {
                out += useGlob ? "?" : "_"
            } else {
                out += Self.literalPatternChar(c, glob: useGlob)
            }
        }
        if escaping { out += Self.literalPatternChar(esc, glob: useGlob) }
        let p = bind(.value(.string(out)), cast: "text")
        switch dialect {
        case .sqlite:
            return useGlob ? "(\(se) GLOB \(p))" : "(\(se) LIKE \(p) ESCAPE '\\')"
        case .postgis:
            return "((\(se))::text \(matchCase ? "LIKE" : "ILIKE") \(p) ESCAPE '\\')"
        }
    }

    private static func literalPatternChar(_ c: Character, glob: Bool) -> String {
        if glob {
            switch c { case "*", "?", "[": return "[\(c)]"; default: return String(c) }
        }
        switch c { case "%", "_", "\\": return "\\\(c)"; default: return String(c) }
    }
}
