import Config
import Filters
import Foundation
import Geo
import Logging
import OGCCore
import PostgresNIO
import Synchronization

/// A PostgreSQL/PostGIS schema, through a pooled `PostgresClient` (binary protocol). SQL is always
/// parameterised: identifiers come from the catalogue and are quoted, values are binds. Rows stream in
/// batches straight from the wire (backpressure: PostgresNIO reads more only as batches are consumed).
public final class PostGISSource: VectorSource {
    public let schemaName: String
    /// The primary and the read replicas, each with its pool, and which one each read goes to.
    let targets: PostgresReadTargets
    private let schemas = Mutex<[String: TableSchema]?>(nil)
    let logger: Logger
    /// Features per batch of a cursor.
    public let batchSize: Int
    /// Refuses requests at once while the database is known to be down.
    public let breaker = StoreBreaker()

    /// - Parameters:
    ///   - connection: parsed connection parameters of the primary.
    ///   - primaryName: what `/status` calls the primary (the environment variable its connection came from).
    ///   - replicas: read replicas of the primary, each with its name: reads go to them while they are up.
    ///   - schema: the PostgreSQL schema holding the relations (default public).
    ///   - statementTimeoutMs: `statement_timeout` of every connection (0: none).
    ///   - replicaProbeInterval: how often a replica that is down is probed.
    public init(connection info: PostgresConnectionInfo, primaryName: String = "primary",
                replicas: [(name: String, connection: PostgresConnectionInfo)] = [], schema: String = "public",
                statementTimeoutMs: Int = 30_000, maxConnections: Int = 10, batchSize: Int = 500,
                applicationName: String = "passerelle", replicaProbeInterval: Duration = .seconds(1),
                logger: Logger = PostGISSource.defaultLogger) throws {
        self.batchSize = max(1, batchSize)
        func configuration(_ info: PostgresConnectionInfo, connectTimeout: Duration) -> PostgresClient.Configuration {
            var config = info.clientConfiguration()
            config.options.maximumConnections = max(1, maxConnections)
            config.options.connectTimeout = .nanoseconds(connectTimeout.wholeNanoseconds)
            config.options.connectionIdleTimeout = .seconds(120)
            if statementTimeoutMs > 0 {
                config.options.additionalStartupParameters = [("statement_timeout", String(statementTimeoutMs))]
            }
            config.options.additionalStartupParameters.append(("application_name", applicationName))
            // No parallel workers: a map server runs many small queries at once, and a worker per query (a process
            // started, shared memory set up, rows funnelled through a Gather) costs CPU that concurrent requests
            // need. Measured on france.communes, 10,000 features of a WFS GetFeature: 98 ms of database CPU per
            // request with PostgreSQL's default of 2 workers per Gather, 73 ms without.
            config.options.additionalStartupParameters.append(("max_parallel_workers_per_gather", "0"))
            return config
        }
        self.schemaName = schema
        self.logger = logger
        let primary = PostgresReadTarget(name: primaryName, info: info, configuration: configuration(info, connectTimeout: .seconds(5)),
                                         logger: logger)
        let replicaTargets = replicas.map {
            PostgresReadTarget(name: $0.name, info: $0.connection, configuration: configuration($0.connection, connectTimeout: .seconds(2)),
                               logger: logger)
        }
        targets = PostgresReadTargets(primary: primary, replicas: replicaTargets, logger: logger, probeInterval: replicaProbeInterval)
    }

    /// From a stored data's storage: the connection strings are read from the environment variables it names
    /// (`connection_env` for the primary, `read_replica_envs` for the replicas).
    public convenience init(storage: Storage, statementTimeoutMs: Int = 30_000,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let env = storage.connectionEnv, !env.isEmpty else {
            throw VectorDataError.unavailable("storage has no connection_env")
        }
        func connection(_ env: String) throws -> PostgresConnectionInfo {
            guard let raw = environment[env], !raw.isEmpty else {
                throw VectorDataError.unavailable("environment variable \(env) is not set")
            }
            return try PostgresConnectionInfo.parse(raw)
        }
        let replicas = try (storage.readReplicaEnvs ?? []).map { (name: $0, connection: try connection($0)) }
        try self.init(connection: try connection(env), primaryName: env, replicas: replicas,
                      schema: storage.schema ?? "public", statementTimeoutMs: statementTimeoutMs)
    }

    deinit { targets.close() }

    /// The primary's and each replica's state, primary first.
    public var readTargets: [ReadTargetStatus] { targets.balancer.status }

    /// The pool's own logger: connection failures are reported to callers as `VectorDataError.unavailable`,
    /// so only warnings and errors are logged.
    public static var defaultLogger: Logger {
        var l = Logger(label: "passerelle.postgis")
        l.logLevel = .warning
        return l
    }

    /// Stops the pools (their connections close) and the replica probes.
    public func close() { targets.close() }

    // MARK: running queries

    /// Runs a query on a target (a replica that is up, else the primary) and hands back its row sequence and
    /// the target, mapping failures to `VectorDataError`. `excluding`: targets already tried by this read.
    /// The read counts as in flight on that target until `targets.ended(target)`.
    func query(_ sql: String, _ binds: [SQLBind], excluding: Set<Int> = []) async throws -> (rows: PostgresRowSequence, target: Int) {
        try breaker.admit()
        do {
            let r = try await targets.query(Self.postgresQuery(sql, binds), excluding: excluding)
            breaker.succeeded()
            return r
        } catch {
            let mapped = Self.mapError(error)
            if case VectorDataError.unavailable(let reason) = mapped { breaker.failed(reason) }
            throw mapped
        }
    }

    static func postgresQuery(_ sql: String, _ binds: [SQLBind]) -> PostgresQuery {
        var b = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .value(.null): b.appendNull()
            case .value(.int(let v)): b.append(v)
            case .value(.double(let v)): b.append(v)
            case .value(.bool(let v)): b.append(v)
            case .value(.string(let s)): b.append(s)
            case .blob(let bytes): b.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: b)
    }

    static func mapError(_ error: any Error) -> any Error {
        if error is VectorDataError || error is OGCError { return error }
        if let e = error as? ConnectionWaitTimeout { return VectorDataError.unavailable(e.description) }
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                let state = info[.sqlState] ?? ""
                let message = info[.message] ?? "server error"
                if state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300" {
                    return VectorDataError.unavailable("\(message) (\(state))")
                }
                if state == "57014" { return VectorDataError.queryFailed("statement timeout: \(message)") }
                return VectorDataError.queryFailed("\(message) (\(state))")
            }
            return VectorDataError.unavailable("PostgreSQL: \(e.code)")
        }
        if error is CancellationError { return error }
        return VectorDataError.unavailable("PostgreSQL: \(error)")
    }

    /// Collects a small query. A target that fails at the connection level while the rows come is marked down
    /// and the query runs again on the next one (nothing was handed out yet).
    func rows(_ sql: String, _ binds: [SQLBind] = []) async throws -> [PostgresRow] {
        var tried: Set<Int> = []
        while true {
            let (sequence, target) = try await query(sql, binds, excluding: tried)
            tried.insert(target)
            var out: [PostgresRow] = []
            do {
                for try await r in sequence { out.append(r) }
                targets.ended(target)
                return out
            } catch {
                targets.ended(target)
                let mapped = Self.mapError(error)
                guard case VectorDataError.unavailable(let reason) = mapped, tried.count < targets.targets.count else { throw mapped }
                targets.failed(target, reason: reason)
            }
        }
    }

    /// Probes every read replica now (each on a connection of its own): the ones that do not answer are marked
    /// down and left out until they do, the ones that answer are taken back. Returns the state of every target.
    @discardableResult
    public func checkReadTargets() async -> [ReadTargetStatus] {
        await targets.probeReplicas()
        return readTargets
    }

    public var countsMatchedInQuery: Bool { true }

    public func ping() async throws {
        _ = try await rows("SELECT 1")
    }

    // MARK: schema

    private func allSchemas() async throws -> [String: TableSchema] {
        if let s = schemas.withLock({ $0 }) { return s }
        let loaded = try await loadSchemas()
        schemas.withLock { $0 = loaded }
        return loaded
    }

    public func tables() async throws -> [String] { try await allSchemas().keys.sorted() }

    public func schema(of table: String) async throws -> TableSchema {
        guard let s = try await allSchemas()[table] else { throw VectorDataError.unknownTable(table) }
        return s
    }

    private func loadSchemas() async throws -> [String: TableSchema] {
        var out: [String: TableSchema] = [:]
        let geoms = try await rows("""
            SELECT f_table_name::text, f_geometry_column::text, srid, type::text FROM geometry_columns
            WHERE f_table_schema = $1::text ORDER BY f_table_name, f_geometry_column
            """, [.value(.string(schemaName))])
        for g in geoms {
            let (table, geomCol, srid, type) = try g.decode((String, String, Int32, String).self)
            if out[table] != nil { continue }  // first geometry column only
            let qualified = quoteIdentifier(schemaName) + "." + quoteIdentifier(table)
            var fields: [FieldInfo] = []
            for c in try await rows("""
                SELECT column_name::text, data_type::text FROM information_schema.columns
                WHERE table_schema = $1::text AND table_name = $2::text ORDER BY ordinal_position
                """, [.value(.string(schemaName)), .value(.string(table))]) {
                let (name, dataType) = try c.decode((String, String).self)
                if name == geomCol || dataType == "USER-DEFINED" { continue }
                fields.append(FieldInfo(name: name, type: Self.fieldType(dataType)))
            }
            let pkRows = try await rows("""
                SELECT a.attname::text FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = to_regclass($1::text) AND i.indisprimary
                """, [.value(.string(qualified))])
            let pk = pkRows.count == 1 ? try pkRows[0].decode(String.self) : nil
            if let pk { fields.removeAll { $0.name == pk } }
            let gtype = GeometryType.allCases.first { $0.rawValue.uppercased() == type.uppercased() } ?? .unknown
            out[table] = TableSchema(name: table, fields: fields, geometryColumn: geomCol, geometryType: gtype,
                                     srid: Int(srid), primaryKey: pk, extent: try await extent(table, geomCol))
        }
        return out
    }

    /// The extent, once at load: the planner's estimate, else a real ST_Extent.
    private func extent(_ table: String, _ geomCol: String) async throws -> BBox? {
        func box(_ rows: [PostgresRow]) throws -> BBox? {
            guard let r = rows.first else { return nil }
            let (a, b, c, d) = try r.decode((Double?, Double?, Double?, Double?).self)
            guard let a, let b, let c, let d else { return nil }
            return BBox(minX: a, minY: b, maxX: c, maxY: d)
        }
        if let estimated = try? box(try await rows("""
            SELECT ST_XMin(e)::float8, ST_YMin(e)::float8, ST_XMax(e)::float8, ST_YMax(e)::float8
            FROM (SELECT ST_EstimatedExtent($1::text, $2::text, $3::text) AS e) x
            """, [.value(.string(schemaName)), .value(.string(table)), .value(.string(geomCol))])) {
            return estimated
        }
        let q = quoteIdentifier(geomCol)
        return try box(try await rows("""
            SELECT ST_XMin(e)::float8, ST_YMin(e)::float8, ST_XMax(e)::float8, ST_YMax(e)::float8
            FROM (SELECT ST_Extent(\(q)) AS e FROM \(quoteIdentifier(schemaName)).\(quoteIdentifier(table))) x
            """))
    }

    static func fieldType(_ dataType: String) -> FieldType {
        switch dataType.lowercased() {
        case "smallint", "integer", "bigint": .integer
        case "real", "double precision", "numeric": .real
        case "boolean": .boolean
        case "date": .date
        case let t where t.hasPrefix("timestamp"): .dateTime
        case "bytea": .binary
        default: .string
        }
    }

    // MARK: queries

    /// The FROM and WHERE parts with their binds.
    func fromWhere(_ q: FeatureQuery, _ s: TableSchema) throws -> CompiledSQL {
        var parts: [String] = []
        var binds: [SQLBind] = []
        let geom = quoteIdentifier(s.geometryColumn)
        if let b = q.bbox {
            let from = q.bboxSRID ?? s.srid
            binds += [b.minX, b.minY, b.maxX, b.maxY].map { .value(.double($0)) }
            let env = "ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, \(from))"
            parts.append("\(geom) && " + (from == s.srid ? env : "ST_Transform(\(env), \(s.srid))"))
        }
        if let f = q.filter {
            let c = try SQLFilterCompiler.compile(f, dialect: .postgis, schema: s, bindOffset: binds.count)
            parts.append(c.sql)
            binds += c.binds
        }
        let from = " FROM \(quoteIdentifier(schemaName)).\(quoteIdentifier(s.name))"
        return CompiledSQL(sql: from + (parts.isEmpty ? "" : " WHERE " + parts.joined(separator: " AND ")), binds: binds)
    }

    public func count(_ q: FeatureQuery) async throws -> Int {
        let s = try await schema(of: q.table)
        let fw = try fromWhere(q, s)
        let r = try await rows("SELECT count(*)" + fw.sql, fw.binds)
        return Int(try r.first?.decode(Int64.self) ?? 0)
    }

    /// The select expression of an attribute column, cast to a type the decoder knows.
    private static func column(_ f: FieldInfo) -> String {
        let q = quoteIdentifier(f.name)
        return switch f.type {
        case .integer: "\(q)::int8"
        case .real: "\(q)::float8"
        case .boolean: "\(q)::bool"
        case .string, .date, .dateTime: "\(q)::text"
        case .binary: "NULL::text"
        }
    }

    public func open(_ q: FeatureQuery) async throws -> any FeatureCursor {
        let s = try await schema(of: q.table)
        let plan = try QueryPlan(query: q, schema: s)
        let fw = try fromWhere(q, s)
        var binds = fw.binds
        var g = quoteIdentifier(s.geometryColumn)
        if let out = q.outputSRID, out != s.srid {
            guard CRSInfo.lookup(epsg: out) != nil else { throw OGCError.invalid("SRSNAME", "Unknown CRS EPSG:\(out)") }
            g = "ST_Transform(\(g), \(out))"
        }
        if let t = q.simplifyTolerance, t > 0, t.isFinite {
            binds.append(.value(.double(t)))
            g = "ST_Simplify(\(g), $\(binds.count)::float8, true)"
        }
        var geometrySQL: String?
        switch q.geometry {
        case .none: break
        case .wkb: geometrySQL = "ST_AsBinary(\(g), 'NDR')"
        case .geoJSON(let decimals): geometrySQL = "ST_AsGeoJSON(\(g), \(max(0, min(decimals, 15))), 0)"
        }
        let pk = s.primaryKey.map { quoteIdentifier($0) + "::text" } ?? "NULL::text"
        var cols = [pk] + plan.fields.map(Self.column)
        if let geometrySQL { cols.append(geometrySQL) }
        // The number of matching rows in the same query (a window over the filtered rows, computed before
        // LIMIT/OFFSET), rather than a second query that filters the same rows again.
        if q.countMatched { cols.append("count(*) OVER ()") }
        var page = ""
        if let limit = q.limit {
            binds.append(.value(.int(Int64(max(0, limit)))))
            page += " LIMIT $\(binds.count)::int8"
        }
        if q.offset > 0 {
            binds.append(.value(.int(Int64(q.offset))))
            page += " OFFSET $\(binds.count)::int8"
        }
        let sql: String
        if let pk = s.primaryKey, geometrySQL != nil, !plan.orderBy.isEmpty {
            // Ordered rows with geometries: the filter, the count, the sort and the page run on the keys alone
            // (narrow rows that sort in memory), then the page's rows are read by key. Sorting the whole rows,
            // geometries included, spilled to disk beyond a few thousand features.
            // The outer ORDER BY is plan.orderBy on the inner query's copies of the key and sort columns.
            var keys = [quoteIdentifier(pk)]
            var order: [String] = []
            for k in plan.sortBy {
                var alias = 0
                if k.property != pk { keys.append(quoteIdentifier(k.property)); alias = keys.count - 1 }
                order.append("k.\"_pk\(alias)\"" + (k.ascending ? " ASC" : " DESC"))
            }
            if !plan.sortBy.contains(where: { $0.property == pk }) { order.append("k.\"_pk0\" ASC") }
            var inner = keys.enumerated().map { "\($1) AS \"_pk\($0)\"" }
            var outer = cols
            if q.countMatched {
                inner.append("count(*) OVER () AS \"_pkn\"")
                outer[outer.count - 1] = "k.\"_pkn\""
            }
            let table = "\(quoteIdentifier(schemaName)).\(quoteIdentifier(s.name))"
            sql = "SELECT " + outer.enumerated().map { "\($1) AS \"_c\($0)\"" }.joined(separator: ", ")
                + " FROM (SELECT " + inner.joined(separator: ", ") + fw.sql + plan.orderBy + page + ") k"
                + " JOIN \(table) ON \(table).\(quoteIdentifier(pk)) = k.\"_pk0\""
                + " ORDER BY " + order.joined(separator: ", ")
        } else {
            // Output columns get names of their own, so that ORDER BY names the table's columns (an integer key
            // sorts as an integer and can follow its index), not these text-cast copies of them.
            sql = "SELECT " + cols.enumerated().map { "\($1) AS \"_c\($0)\"" }.joined(separator: ", ") + fw.sql
                + plan.orderBy + page
        }
        let (rows, target) = try await query(sql, binds)
        let queryBinds = binds
        return PostGISCursor(rows: rows, target: target, plan: plan, batchSize: batchSize, counted: q.countMatched,
                             rerun: { [self] tried in try await self.query(sql, queryBinds, excluding: tried) },
                             failed: { [targets] target, reason in targets.failed(target, reason: reason) },
                             ended: { [targets] target in targets.ended(target) })
    }
}

/// Reads a row sequence in batches. Dropping or closing it cancels the rest of the query and frees the
/// connection. When the target fails at the connection level before the first batch was handed out, the query
/// runs again on another target (a replica that died under it), as often as targets are left.
/// `@unchecked Sendable`: a cursor is used by one task at a time (the `FeatureCursor` contract), which is
/// what guards `iterator` and the rest.
final class PostGISCursor: FeatureCursor, @unchecked Sendable {
    typealias Rerun = @Sendable (_ tried: Set<Int>) async throws -> (rows: PostgresRowSequence, target: Int)
    private var iterator: PostgresRowSequence.AsyncIterator?
    private let plan: QueryPlan
    private let batchSize: Int
    /// The row ends with the `count(*) OVER ()` column.
    private let counted: Bool
    private(set) var matchedCount: Int?
    /// The target the rows come from (nil once the read is over), and those tried before it.
    private var target: Int?
    private var tried: Set<Int> = []
    /// Whether a batch was handed out (then the read can no longer move to another target).
    private var handedOut = false
    private let rerun: Rerun?
    private let failed: @Sendable (Int, String) -> Void
    private let ended: @Sendable (Int) -> Void

    init(rows: PostgresRowSequence, target: Int? = nil, plan: QueryPlan, batchSize: Int, counted: Bool = false,
         rerun: Rerun? = nil, failed: @escaping @Sendable (Int, String) -> Void = { _, _ in },
         ended: @escaping @Sendable (Int) -> Void = { _ in }) {
        iterator = rows.makeAsyncIterator()
        self.target = target
        self.plan = plan
        self.batchSize = batchSize
        self.counted = counted
        self.rerun = rerun
        self.failed = failed
        self.ended = ended
    }

    deinit { if let target { ended(target) } }

    private func finish() {
        iterator = nil
        if let t = target { ended(t) }
        target = nil
    }

    func next() async throws -> [Feature]? {
        while true {
            guard var it = iterator else { return nil }
            iterator = nil
            var out: [Feature] = []
            out.reserveCapacity(batchSize)
            do {
                while out.count < batchSize, let row = try await it.next() {
                    out.append(try decode(row))
                }
            } catch {
                let mapped = PostGISSource.mapError(error)
                guard !handedOut, let rerun, let t = target, case VectorDataError.unavailable(let reason) = mapped else {
                    // Too late to move (part of the answer is out): the target is still left out for the next reads.
                    if let t = target, case VectorDataError.unavailable(let reason) = mapped { failed(t, reason) }
                    finish()
                    throw mapped
                }
                // Nothing was handed out yet: the same query on another target.
                failed(t, reason)
                finish()
                tried.insert(t)
                matchedCount = nil
                let (rows, nextTarget) = try await rerun(tried)
                iterator = rows.makeAsyncIterator()
                target = nextTarget
                continue
            }
            if out.count == batchSize { iterator = it } else { finish() }
            handedOut = handedOut || !out.isEmpty
            return out.isEmpty ? nil : out
        }
    }

    private func decode(_ row: PostgresRow) throws -> Feature {
        var id = ""
        var values: [Value] = []
        values.reserveCapacity(plan.fields.count)
        var geom: [UInt8]?
        let geometryIndex = plan.wantsGeometry ? plan.fields.count + 1 : -1
        for (i, cell) in row.enumerated() {
            if counted && i == plan.fields.count + 1 + (plan.wantsGeometry ? 1 : 0) {
                if matchedCount == nil { matchedCount = Int(try cell.decode(Int64.self)) }
            } else if i == 0 {
                id = try cell.decode(String?.self) ?? ""
            } else if i <= plan.fields.count {
                guard cell.bytes != nil else { values.append(.null); continue }
                switch plan.fields[i - 1].type {
                case .integer: values.append(.int(try cell.decode(Int64.self)))
                case .real: values.append(.double(try cell.decode(Double.self)))
                case .boolean: values.append(.bool(try cell.decode(Bool.self)))
                case .binary: values.append(.null)
                default: values.append(.string(try cell.decode(String.self)))
                }
            } else if i == geometryIndex, var bytes = cell.bytes {
                geom = bytes.readBytes(length: bytes.readableBytes)
            }
        }
        return Feature(id: id, values: values, geometry: geom)
    }

    func close() async {
        finish()
    }
}

/// Runs `body`, failing with `ConnectionWaitTimeout` when it takes longer than `limit` (waiting for a
/// connection to a database that is down, or busy).
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw ConnectionWaitTimeout(limit: limit)
        }
        return value
    }
}
