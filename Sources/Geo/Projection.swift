import CProj
import OGCCore
import Synchronization

public struct ProjectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "projection error: \(message)" }
}

/// A PROJ context and a transformation made in it. PROJ objects are not thread safe: one of these is used by
/// one thread at a time (checked out of the transformer's pool).
private final class ProjHandle: @unchecked Sendable {
    let ctx: OpaquePointer
    let pj: OpaquePointer

    init(from: String, to: String) throws(ProjectionError) {
        guard let ctx = ProjContext.make() else { throw ProjectionError("cannot create a PROJ context") }
        guard let raw = proj_create_crs_to_crs(ctx, from, to, nil) else {
            proj_context_destroy(ctx)
            throw ProjectionError("no transformation from \(from) to \(to)")
        }
        let norm = proj_normalize_for_visualization(ctx, raw)
        proj_destroy(raw)
        guard let norm else {
            proj_context_destroy(ctx)
            throw ProjectionError("cannot normalise the transformation from \(from) to \(to)")
        }
        self.ctx = ctx
        self.pj = norm
    }

    deinit {
        proj_destroy(pj)
        proj_context_destroy(ctx)
    }
}

enum ProjContext {
    /// A quiet, offline PROJ context.
    static func make() -> OpaquePointer? {
        guard let ctx = proj_context_create() else { return nil }
        proj_log_level(ctx, PJ_LOG_NONE)
        proj_context_set_enable_network(ctx, 0)
        return ctx
    }
}

/// Transforms coordinates between two CRSs, always in east/north (x = longitude/easting) order on both sides.
///
/// Sendable: each call checks a PROJ handle out of a small pool, so concurrent callers never share one.
/// Get instances from `CoordinateTransformer.make`, which caches them.
public final class CoordinateTransformer: Sendable {
    public let source: String
    public let target: String
    public let isIdentity: Bool
    private let pool = Mutex<[ProjHandle]>([])

    private init(source: String, target: String) throws(ProjectionError) {
        self.source = source
        self.target = target
        self.isIdentity = source == target
        if !isIdentity { release(try ProjHandle(from: source, to: target)) }
    }

    private static let cache = Mutex<[String: CoordinateTransformer]>([:])

    /// A cached transformer between two PROJ CRS names (e.g. "EPSG:4326", "OGC:CRS84").
    public static func make(from: String, to: String) throws(ProjectionError) -> CoordinateTransformer {
        let key = from + "|" + to
        if let t = cache.withLock({ $0[key] }) { return t }
        let t = try CoordinateTransformer(source: from, target: to)
        return cache.withLock { c in
            if let existing = c[key] { return existing }
            c[key] = t
            return t
        }
    }

    public static func make(from: Int, to: Int) throws(ProjectionError) -> CoordinateTransformer {
        try make(from: "EPSG:\(from)", to: "EPSG:\(to)")
    }

    public static func make(from: CRSName, to: CRSName) throws(ProjectionError) -> CoordinateTransformer {
        try make(from: from.projName, to: to.projName)
    }

    private func acquire() throws(ProjectionError) -> ProjHandle {
        if let h = pool.withLock({ $0.popLast() }) { return h }
        return try ProjHandle(from: source, to: target)
    }

    private func release(_ h: ProjHandle) {
        pool.withLock { p in if p.count < 8 { p.append(h) } }
    }

    /// Transforms coordinates in place. Points PROJ cannot transform become infinite.
    public func transform(inPlace coords: inout [Coord]) throws(ProjectionError) {
        if isIdentity || coords.isEmpty { return }
        let h = try acquire()
        defer { release(h) }
        let stride = MemoryLayout<Coord>.stride
        let yOff = MemoryLayout<Coord>.offset(of: \Coord.y)!
        coords.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            let n = raw.count / stride
            _ = proj_trans_generic(h.pj, PJ_FWD,
                                   base.assumingMemoryBound(to: Double.self), stride, n,
                                   (base + yOff).assumingMemoryBound(to: Double.self), stride, n,
                                   nil, 0, 0, nil, 0, 0)
        }
    }

    public func transform(_ coords: [Coord]) throws(ProjectionError) -> [Coord] {
        var cs = coords
        try transform(inPlace: &cs)
        return cs
    }

    public func transform(_ c: Coord) throws(ProjectionError) -> Coord {
        if isIdentity { return c }
        let r = try transform([c])[0]
        guard r.x.isFinite, r.y.isFinite else { throw ProjectionError("point (\(c.x), \(c.y)) is outside the domain of \(target)") }
        return r
    }

    /// Transforms every coordinate of a geometry; throws when a point cannot be transformed.
    public func transform(_ g: Geometry) throws(ProjectionError) -> Geometry {
        if isIdentity { return g }
        func ring(_ cs: [Coord]) throws(ProjectionError) -> [Coord] {
            let r = try transform(cs)
            for c in r where !(c.x.isFinite && c.y.isFinite) {
                throw ProjectionError("geometry is outside the domain of \(target)")
            }
            return r
        }
        func rings(_ rs: [[Coord]]) throws(ProjectionError) -> [[Coord]] {
            var out: [[Coord]] = []; out.reserveCapacity(rs.count)
            for r in rs { out.append(try ring(r)) }
            return out
        }
        switch g {
        case .point(let c): return .point(try ring([c])[0])
        case .lineString(let cs): return .lineString(try ring(cs))
        case .multiPoint(let cs): return .multiPoint(try ring(cs))
        case .polygon(let rs): return .polygon(try rings(rs))
        case .multiLineString(let rs): return .multiLineString(try rings(rs))
        case .multiPolygon(let ps):
            var out: [[[Coord]]] = []; out.reserveCapacity(ps.count)
            for p in ps { out.append(try rings(p)) }
            return .multiPolygon(out)
        case .collection(let gs):
            var out: [Geometry] = []; out.reserveCapacity(gs.count)
            for g in gs { out.append(try transform(g)) }
            return .collection(out)
        }
    }

    /// The envelope of a bbox once transformed, from `pointsPerEdge` points along each edge (so that curved
    /// edges are covered). Points outside the target's domain are ignored; throws when none is left.
    public func transform(_ b: BBox, pointsPerEdge: Int = 21) throws(ProjectionError) -> BBox {
        if isIdentity { return b }
        let n = max(2, pointsPerEdge)
        var cs: [Coord] = []
        cs.reserveCapacity(4 * n)
        for i in 0..<n {
            let t = Double(i) / Double(n - 1)
            let x = b.minX + t * (b.maxX - b.minX), y = b.minY + t * (b.maxY - b.minY)
            cs.append(Coord(x, b.minY)); cs.append(Coord(x, b.maxY))
            cs.append(Coord(b.minX, y)); cs.append(Coord(b.maxX, y))
        }
        let out = try transform(cs)
        var r: BBox?
        for c in out where c.x.isFinite && c.y.isFinite {
            let p = BBox(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y)
            r = r.map { $0.union(p) } ?? p
        }
        guard let r else { throw ProjectionError("bbox \(b) is outside the domain of \(target)") }
        return r
    }
}
