import CSQLite
import Filters
import Geo
import OGCCore
import Synchronization

/// A GeoPackage file, read-only, through the sqlite3 C API. Every call runs on NIO's thread pool with a
/// connection from a small pool. Spatial predicates run inside SQLite through GEOS-backed SQL functions, so
/// filters, paging and counts are all done by one SQL statement.
public final class GeoPackageSource: VectorSource {
    public let path: String
    let pool: SQLitePool
    private let schemas = Mutex<[String: TableSchema]?>(nil)
    /// The tables with a GeoPackage rtree spatial index.
    private let indexed = Mutex<Set<String>>([])
    /// Features per batch of a cursor.
    public let batchSize: Int

    public init(path: String, batchSize: Int = 500) {
        self.path = path
        self.batchSize = max(1, batchSize)
        self.pool = SQLitePool(path: path)
    }

    public func ping() async throws {
        _ = try await pool.run { c in try c.rows("SELECT 1 FROM gpkg_contents LIMIT 1") }
    }

    public func close() { pool.closeAll() }

    // MARK: schema

    private func allSchemas() async throws -> [String: TableSchema] {
        if let s = schemas.withLock({ $0 }) { return s }
        let (loaded, withIndex) = try await pool.run { c in
            let s = try Self.loadSchemas(c)
            let names = Set(try c.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rtree\\_%' ESCAPE '\\'")
                .map { $0[0].description })
            return (s, Set(s.values.filter { names.contains("rtree_\($0.name)_\($0.geometryColumn)") }.map(\.name)))
        }
        indexed.withLock { $0 = withIndex }
        schemas.withLock { $0 = loaded }
        return loaded
    }

    public func tables() async throws -> [String] {
        try await allSchemas().keys.sorted()
    }

    public func schema(of table: String) async throws -> TableSchema {
        guard let s = try await allSchemas()[table] else { throw VectorDataError.unknownTable(table) }
        return s
    }

    static func loadSchemas(_ c: SQLiteConnection) throws -> [String: TableSchema] {
        var out: [String: TableSchema] = [:]
        let rows = try c.rows("""
            SELECT g.table_name, g.column_name, g.geometry_type_name, g.srs_id, s.organization, s.organization_coordsys_id,
                   ct.min_x, ct.min_y, ct.max_x, ct.max_y
            FROM gpkg_geometry_columns g
            LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id
            LEFT JOIN gpkg_contents ct ON ct.table_name = g.table_name
            """)
        for r in rows {
            guard case .string(let table) = r[0], case .string(let geomCol) = r[1] else { continue }
            let typeName = r[2].description.uppercased()
            let gtype = GeometryType.allCases.first { $0.rawValue.uppercased() == typeName } ?? .unknown
            var srid = Int(r[3].doubleValue ?? 0)
            if r[4].description.uppercased() == "EPSG", let code = r[5].doubleValue { srid = Int(code) }
            var fields: [FieldInfo] = []
            var pk: String?
            for col in try c.rows("SELECT name, type, pk FROM pragma_table_info(?)", [.value(.string(table))]) {
                let name = col[0].description
                if name == geomCol { continue }
                if col[2].doubleValue ?? 0 > 0 && pk == nil { pk = name; continue }
                fields.append(FieldInfo(name: name, type: fieldType(col[1].description)))
            }
            var extent: BBox?
            if let a = r[6].doubleValue, let b = r[7].doubleValue, let cc = r[8].doubleValue, let d = r[9].doubleValue {
                extent = BBox(minX: a, minY: b, maxX: cc, maxY: d)
            } else if let e = try? c.rows("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM \(quoteIdentifier("rtree_\(table)_\(geomCol)"))").first,
                      let a = e[0].doubleValue, let b = e[1].doubleValue, let cc = e[2].doubleValue, let d = e[3].doubleValue {
                extent = BBox(minX: a, minY: b, maxX: cc, maxY: d)
            }
            out[table] = TableSchema(name: table, fields: fields, geometryColumn: geomCol, geometryType: gtype, srid: srid,
                                     primaryKey: pk, extent: extent)
        }
        return out
    }

    static func fieldType(_ declared: String) -> FieldType {
        let t = declared.uppercased()
        if t.hasPrefix("BOOL") { return .boolean }
        if t.contains("INT") { return .integer }
        if t.hasPrefix("DOUBLE") || t.hasPrefix("FLOAT") || t.hasPrefix("REAL") || t.hasPrefix("NUMERIC") { return .real }
        if t == "DATE" { return .date }
        if t == "DATETIME" || t.hasPrefix("TIMESTAMP") { return .dateTime }
        if t.hasPrefix("BLOB") { return .binary }
        return .string
    }

    // MARK: queries

    /// The WHERE clause (bbox through the rtree, then the filter) and its binds.
    func whereClause(_ q: FeatureQuery, _ s: TableSchema) throws -> CompiledSQL {
        var parts: [String] = []
        var binds: [SQLBind] = []
        let hasIndex = indexed.withLock { $0.contains(s.name) }
        if let bbox = q.bbox {
            var nb = bbox
            if let from = q.bboxSRID, from != s.srid {
                do { nb = try CoordinateTransformer.make(from: from, to: s.srid).transform(bbox) }
                catch { throw OGCError.invalid("BBOX", "Cannot reproject the bbox: \(error.message)") }
            }
            if hasIndex {
                let pk = quoteIdentifier(s.primaryKey ?? "rowid")
                let rtree = quoteIdentifier("rtree_\(s.name)_\(s.geometryColumn)")
                parts.append("\(pk) IN (SELECT id FROM \(rtree) WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?)")
                binds += [nb.minX, nb.maxX, nb.minY, nb.maxY].map { .value(.double($0)) }
            } else {
                parts.append("passerelle_envelope_intersects(\(quoteIdentifier(s.geometryColumn)), ?, ?, ?, ?)")
                binds += [nb.minX, nb.minY, nb.maxX, nb.maxY].map { .value(.double($0)) }
            }
        }
        if let f = q.filter {
            let c = try SQLFilterCompiler.compile(f, dialect: .sqlite, schema: s, hasSpatialIndex: hasIndex)
            parts.append(c.sql)
            binds += c.binds
        }
        return CompiledSQL(sql: parts.isEmpty ? "" : " WHERE " + parts.joined(separator: " AND "), binds: binds)
    }

    public func count(_ q: FeatureQuery) async throws -> Int {
        let s = try await schema(of: q.table)
        let w = try whereClause(q, s)
        let sql = "SELECT count(*) FROM \(quoteIdentifier(s.name))" + w.sql
        let rows = try await pool.run { c in try c.rows(sql, w.binds) }
        return Int(rows.first?.first?.doubleValue ?? 0)
    }

    public func open(_ q: FeatureQuery) async throws -> any FeatureCursor {
        let s = try await schema(of: q.table)
        let plan = try QueryPlan(query: q, schema: s)
        let w = try whereClause(q, s)
        var sql = "SELECT " + plan.selectList(dialect: .sqlite) + " FROM \(quoteIdentifier(s.name))" + w.sql
        sql += plan.orderBy
        var binds = w.binds
        if q.limit != nil || q.offset > 0 {
            sql += " LIMIT ? OFFSET ?"
            binds += [.value(.int(Int64(q.limit ?? -1))), .value(.int(Int64(max(0, q.offset))))]
        }
        let pool = self.pool
        let (finalSQL, finalBinds) = (sql, binds)
        let state = try await BlockingIO.run { () throws -> GeoPackageCursor.State in
            let encoder = try GeometryEncoder(output: q.geometry, nativeSRID: s.srid, outputSRID: q.outputSRID,
                                              tolerance: q.simplifyTolerance)
            let c = try pool.acquire()
            let stmt: SQLiteStatement
            do { stmt = try c.prepare(finalSQL, finalBinds) } catch { pool.release(c); throw error }
            return GeoPackageCursor.State(statement: stmt, plan: plan, encoder: encoder)
        }
        return GeoPackageCursor(pool: pool, state: state, batchSize: batchSize)
    }
}

/// Streams the rows of one statement in batches; holds its connection until the end or `close`.
final class GeoPackageCursor: FeatureCursor, @unchecked Sendable {
    /// Everything touched by the thread-pool jobs; moved in and out of `state` so only one job uses it.
    final class State: @unchecked Sendable {
        let statement: SQLiteStatement
        let plan: QueryPlan
        let encoder: GeometryEncoder
        init(statement: SQLiteStatement, plan: QueryPlan, encoder: GeometryEncoder) {
            self.statement = statement; self.plan = plan; self.encoder = encoder
        }
    }

    private let pool: SQLitePool
    private let state: Mutex<State?>
    private let batchSize: Int

    init(pool: SQLitePool, state: State, batchSize: Int) {
        self.pool = pool
        self.batchSize = batchSize
        self.state = Mutex(state)
    }

    func next() async throws -> [Feature]? {
        guard let st = state.withLock({ s -> State? in let v = s; s = nil; return v }) else { return nil }
        do {
            let size = batchSize
            let batch = try await BlockingIO.run { try Self.read(st, max: size) }
            if batch.count < size {
                finish(st)
                return batch.isEmpty ? nil : batch
            }
            state.withLock { $0 = st }
            return batch
        } catch {
            finish(st)
            throw error
        }
    }

    private static func read(_ st: State, max: Int) throws -> [Feature] {
        var out: [Feature] = []
        out.reserveCapacity(max)
        let s = st.statement
        let p = st.plan
        while out.count < max, try s.step() {
            let id = s.value(0).description
            var values: [Value] = []
            values.reserveCapacity(p.fields.count)
            for (i, f) in p.fields.enumerated() { values.append(s.value(i + 1, as: f.type)) }
            var geometry: [UInt8]?
            if p.wantsGeometry, let blob = s.blob(p.fields.count + 1) {
                let (h, wkb) = try GeoPackageBinary.wkb(blob)
                if !(h.isEmpty && wkb.isEmpty) { geometry = try st.encoder.encode(wkb: wkb) }
            }
            out.append(Feature(id: id, values: values, geometry: geometry))
        }
        return out
    }

    private func finish(_ st: State) {
        st.statement.finalize()
        pool.release(st.statement.connection)
    }

    func close() async {
        if let st = state.withLock({ s -> State? in let v = s; s = nil; return v }) { finish(st) }
    }

    deinit {
        if let st = state.withLock({ s -> State? in let v = s; s = nil; return v }) { finish(st) }
    }
}
