import CSQLite
import Filters
import Geo
import OGCCore
import Synchronization

/// One read-only SQLite connection (SQLITE_OPEN_NOMUTEX: used by one thread at a time, checked out of a
/// `SQLitePool`). Registers Passerelle's spatial SQL functions.
final class SQLiteConnection: @unchecked Sendable {
    let db: OpaquePointer

    init(path: String) throws {
        var h: OpaquePointer?
        let rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let h else {
            let msg = h.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(rc)"
            if let h { sqlite3_close_v2(h) }
            throw VectorDataError.unavailable("cannot open \(path): \(msg)")
        }
        db = h
        sqlite3_busy_timeout(db, 5000)
        SpatialFunctions.register(db)
    }

    deinit { sqlite3_close_v2(db) }

    var errorMessage: String { String(cString: sqlite3_errmsg(db)) }

    func prepare(_ sql: String, _ binds: [SQLBind] = []) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw VectorDataError.queryFailed(errorMessage)
        }
        let s = SQLiteStatement(stmt, connection: self)
        try s.bind(binds)
        return s
    }

    /// Runs a query and returns every row's values (small metadata queries only).
    func rows(_ sql: String, _ binds: [SQLBind] = []) throws -> [[Value]] {
        let s = try prepare(sql, binds)
        defer { s.finalize() }
        var out: [[Value]] = []
        while try s.step() { out.append((0..<s.columnCount).map { s.value($0) }) }
        return out
    }
}

final class SQLiteStatement {
    let stmt: OpaquePointer
    let connection: SQLiteConnection

    private var finalized = false

    init(_ stmt: OpaquePointer, connection: SQLiteConnection) { self.stmt = stmt; self.connection = connection }
    deinit { finalize() }

    /// Releases the statement (before its connection goes back to the pool).
    func finalize() {
        if !finalized { finalized = true; sqlite3_finalize(stmt) }
    }

    func bind(_ binds: [SQLBind]) throws {
        for (i, b) in binds.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch b {
            case .value(.null): rc = sqlite3_bind_null(stmt, idx)
            case .value(.int(let v)): rc = sqlite3_bind_int64(stmt, idx, v)
            case .value(.double(let v)): rc = sqlite3_bind_double(stmt, idx, v)
            case .value(.bool(let v)): rc = sqlite3_bind_int64(stmt, idx, v ? 1 : 0)
            case .value(.string(let s)): rc = sqlite3_bind_text(stmt, idx, s, -1, csqlite_transient())
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32($0.count), csqlite_transient()) }
            }
            guard rc == SQLITE_OK else { throw VectorDataError.queryFailed(connection.errorMessage) }
        }
    }

    /// Advances; false at the end.
    func step() throws -> Bool {
        switch sqlite3_step(stmt) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc:
            throw VectorDataError.queryFailed("\(connection.errorMessage) (\(rc))")
        }
    }

    var columnCount: Int { Int(sqlite3_column_count(stmt)) }

    func value(_ i: Int, as type: FieldType? = nil) -> Value {
        let c = Int32(i)
        switch sqlite3_column_type(stmt, c) {
        case SQLITE_INTEGER:
            let v = sqlite3_column_int64(stmt, c)
            return type == .boolean ? .bool(v != 0) : .int(v)
        case SQLITE_FLOAT: return .double(sqlite3_column_double(stmt, c))
        case SQLITE_TEXT:
            guard let p = sqlite3_column_text(stmt, c) else { return .null }
            return .string(String(cString: p))
        default: return .null
        }
    }

    /// The raw bytes of a blob column, valid until the next step.
    func blob(_ i: Int) -> UnsafeRawBufferPointer? {
        let c = Int32(i)
        guard sqlite3_column_type(stmt, c) == SQLITE_BLOB, let p = sqlite3_column_blob(stmt, c) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, c)))
    }
}

/// A small pool of connections to one file.
final class SQLitePool: Sendable {
    let path: String
    private let idle = Mutex<[SQLiteConnection]>([])
    private let maxIdle: Int

    init(path: String, maxIdle: Int = 4) { self.path = path; self.maxIdle = maxIdle }

    func acquire() throws -> SQLiteConnection {
        if let c = idle.withLock({ $0.popLast() }) { return c }
        return try SQLiteConnection(path: path)
    }

    func release(_ c: SQLiteConnection) {
        idle.withLock { if $0.count < maxIdle { $0.append(c) } }
    }

    func closeAll() { idle.withLock { $0.removeAll() } }

    /// Runs `body` with a connection, off the event loops.
    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await BlockingIO.run {
            let c = try self.acquire()
            defer { self.release(c) }
            return try body(c)
        }
    }
}

/// `passerelle_spatial(op, gpkgBlob, literalWKB)` and `passerelle_distance(gpkgBlob, literalWKB)`: GEOS
/// predicates on GeoPackage geometries. The literal is prepared once per statement (sqlite auxdata).
enum SpatialFunctions {
    static func register(_ db: OpaquePointer) {
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        sqlite3_create_function_v2(db, "passerelle_spatial", 3, flags, nil, { ctx, _, argv in
            SpatialFunctions.spatial(ctx, argv)
        }, nil, nil, nil)
        sqlite3_create_function_v2(db, "passerelle_distance", 2, flags, nil, { ctx, _, argv in
            SpatialFunctions.distance(ctx, argv)
        }, nil, nil, nil)
        sqlite3_create_function_v2(db, "passerelle_envelope_intersects", 5, flags, nil, { ctx, _, argv in
            SpatialFunctions.envelopeIntersects(ctx, argv)
        }, nil, nil, nil)
    }

    /// `passerelle_envelope_intersects(gpkgBlob, minx, miny, maxx, maxy)`: for tables without an rtree.
    static func envelopeIntersects(_ ctx: OpaquePointer?, _ argv: UnsafeMutablePointer<OpaquePointer?>?) {
        guard let argv, let v = argv[0], let p = sqlite3_value_blob(v) else { sqlite3_result_null(ctx); return }
        let blob = UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(v)))
        guard let (h, wkb) = try? GeoPackageBinary.wkb(blob) else { sqlite3_result_null(ctx); return }
        let env = h.envelope ?? (try? WKB.decode(wkb))?.bbox
        guard let env else { sqlite3_result_int(ctx, 0); return }
        let q = BBox(minX: sqlite3_value_double(argv[1]), minY: sqlite3_value_double(argv[2]),
                     maxX: sqlite3_value_double(argv[3]), maxY: sqlite3_value_double(argv[4]))
        sqlite3_result_int(ctx, env.intersects(q) ? 1 : 0)
    }

    /// The prepared literal, kept by SQLite as auxiliary data of the literal argument.
    final class Literal {
        let ctx = GEOSContext()
        let prepared: GEOSContext.Prepared
        init(_ g: Geometry) throws { prepared = try ctx.prepare(g) }
    }

    private static func literal(_ ctx: OpaquePointer?, _ argv: UnsafeMutablePointer<OpaquePointer?>?, index: Int32) -> Literal? {
        if let p = sqlite3_get_auxdata(ctx, index) {
            return Unmanaged<Literal>.fromOpaque(p).takeUnretainedValue()
        }
        guard let v = argv?[Int(index)], let p = sqlite3_value_blob(v) else { return nil }
        let buf = UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(v)))
        guard let g = try? WKB.decode(buf), let lit = try? Literal(g) else { return nil }
        sqlite3_set_auxdata(ctx, index, Unmanaged.passRetained(lit).toOpaque(), { p in
            if let p { Unmanaged<Literal>.fromOpaque(p).release() }
        })
        // SQLite may have dropped it at once (non-constant argument): it stays valid for this call.
        return sqlite3_get_auxdata(ctx, index).map { Unmanaged<Literal>.fromOpaque($0).takeUnretainedValue() } ?? lit
    }

    private static func featureWKB(_ v: OpaquePointer?) -> UnsafeRawBufferPointer? {
        guard let v, let p = sqlite3_value_blob(v) else { return nil }
        let blob = UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(v)))
        guard let (h, wkb) = try? GeoPackageBinary.wkb(blob), !h.isEmpty || !wkb.isEmpty else { return nil }
        return wkb
    }

    static func spatial(_ ctx: OpaquePointer?, _ argv: UnsafeMutablePointer<OpaquePointer?>?) {
        guard let argv, let opText = sqlite3_value_text(argv[0]) else { sqlite3_result_null(ctx); return }
        guard let wkb = featureWKB(argv[1]) else { sqlite3_result_null(ctx); return }
        guard let lit = literal(ctx, argv, index: 2) else {
            sqlite3_result_error(ctx, "passerelle: invalid filter geometry", -1); return
        }
        // op(feature, literal) evaluated as op'(literal, feature).
        let pred: GEOSContext.Predicate
        switch String(cString: opText) {
        case "intersects": pred = .intersects
        case "disjoint": pred = .disjoint
        case "contains": pred = .within
        case "within": pred = .contains
        case "touches": pred = .touches
        case "crosses": pred = .crosses
        case "overlaps": pred = .overlaps
        case "equals": pred = .equals
        default: sqlite3_result_error(ctx, "passerelle: unknown spatial operator", -1); return
        }
        do { sqlite3_result_int(ctx, try lit.prepared.evaluate(pred, wkb: wkb) ? 1 : 0) }
        catch { sqlite3_result_error(ctx, "passerelle: \(error.message)", -1) }
    }

    static func distance(_ ctx: OpaquePointer?, _ argv: UnsafeMutablePointer<OpaquePointer?>?) {
        guard let argv, let wkb = featureWKB(argv[0]) else { sqlite3_result_null(ctx); return }
        guard let lit = literal(ctx, argv, index: 1) else {
            sqlite3_result_error(ctx, "passerelle: invalid filter geometry", -1); return
        }
        do { sqlite3_result_double(ctx, try lit.prepared.distance(wkb: wkb)) }
        catch { sqlite3_result_error(ctx, "passerelle: \(error.message)", -1) }
    }
}
