/// Well-Known Binary: reads ISO/OGC WKB and PostGIS EWKB (either byte order; Z and M are dropped, an EWKB SRID
/// is skipped) and writes little-endian ISO WKB (2D).
public enum WKB {
    public struct DecodeError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { "invalid WKB: \(message)" }
        public init(message: String) { self.message = message }
    }

    /// Decodes one geometry from `bytes`.
    public static func decode(_ bytes: [UInt8]) throws -> Geometry {
        try bytes.withUnsafeBytes { buf in try decode(buf) }
    }

    /// Decodes one geometry from a raw buffer (e.g. a slice of a GeoPackage blob or a database row).
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(DecodeError) -> Geometry {
        var r = Reader(buf: buffer)
        return try r.geometry(depth: 0)
    }

    /// Encodes a geometry as 2D little-endian ISO WKB.
    public static func encode(_ g: Geometry) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize(g))
        append(g, to: &out)
        return out
    }

    /// Appends the WKB of `g` to `out`.
    public static func append(_ g: Geometry, to out: inout [UInt8]) {
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        func header(_ type: UInt32) { out.append(1); u32(type) }
        func coords(_ cs: [Coord]) { u32(UInt32(cs.count)); for c in cs { f64(c.x); f64(c.y) } }
        func rings(_ rs: [[Coord]]) { u32(UInt32(rs.count)); for r in rs { coords(r) } }
        switch g {
        case .point(let c): header(1); f64(c.x); f64(c.y)
        case .lineString(let cs): header(2); coords(cs)
        case .polygon(let rs): header(3); rings(rs)
        case .multiPoint(let cs): header(4); u32(UInt32(cs.count)); for c in cs { header(1); f64(c.x); f64(c.y) }
        case .multiLineString(let ls): header(5); u32(UInt32(ls.count)); for l in ls { header(2); coords(l) }
        case .multiPolygon(let ps): header(6); u32(UInt32(ps.count)); for p in ps { header(3); rings(p) }
        case .collection(let gs): header(7); u32(UInt32(gs.count)); for g in gs { append(g, to: &out) }
        }
    }

    static func estimatedSize(_ g: Geometry) -> Int {
        var n = 0
        g.forEachCoord { _ in n += 1 }
        return 64 + n * 16
    }

    private struct Reader {
        let buf: UnsafeRawBufferPointer
        var pos = 0
        var little = true

        init(buf: UnsafeRawBufferPointer) { self.buf = buf }

        mutating func byte() throws(DecodeError) -> UInt8 {
            guard pos < buf.count else { throw DecodeError(message: "truncated") }
            defer { pos += 1 }
            return buf[pos]
        }

        mutating func u32() throws(DecodeError) -> UInt32 {
            guard pos + 4 <= buf.count else { throw DecodeError(message: "truncated") }
            let v = buf.loadUnaligned(fromByteOffset: pos, as: UInt32.self)
            pos += 4
            return little ? UInt32(littleEndian: v) : UInt32(bigEndian: v)
        }

        mutating func count(minBytesPerItem: Int) throws(DecodeError) -> Int {
            let n = Int(try u32())
            guard n <= (buf.count - pos) / max(1, minBytesPerItem) else { throw DecodeError(message: "count \(n) exceeds data") }
            return n
        }

        mutating func f64() -> Double {
            let v = buf.loadUnaligned(fromByteOffset: pos, as: UInt64.self)
            pos += 8
            return Double(bitPattern: little ? UInt64(littleEndian: v) : UInt64(bigEndian: v))
        }

        /// Reads a point of `dims` ordinates and keeps x, y.
        mutating func coord(_ dims: Int) throws(DecodeError) -> Coord {
            guard pos + 8 * dims <= buf.count else { throw DecodeError(message: "truncated") }
            let x = f64(), y = f64()
            pos += 8 * (dims - 2)
            return Coord(x, y)
        }

        mutating func coords(_ dims: Int) throws(DecodeError) -> [Coord] {
            let n = try count(minBytesPerItem: 8 * dims)
            var cs = [Coord]()
            cs.reserveCapacity(n)
            // Fast path: little-endian host and data, 2D.
            for _ in 0..<n { cs.append(try coord(dims)) }
            return cs
        }

        mutating func rings(_ dims: Int) throws(DecodeError) -> [[Coord]] {
            let n = try count(minBytesPerItem: 4)
            var rs = [[Coord]]()
            rs.reserveCapacity(n)
            for _ in 0..<n { rs.append(try coords(dims)) }
            return rs
        }

        /// Reads the byte order and type word; returns the base type (1...7) and the number of ordinates.
        mutating func header() throws(DecodeError) -> (type: UInt32, dims: Int) {
            let order = try byte()
            guard order <= 1 else { throw DecodeError(message: "bad byte order \(order)") }
            little = order == 1
            var t = try u32()
            var dims = 2
            // EWKB flags.
            if t & 0x2000_0000 != 0 { _ = try u32() }  // SRID
            if t & 0x8000_0000 != 0 { dims += 1 }
            if t & 0x4000_0000 != 0 { dims += 1 }
            t &= 0x0FFF_FFFF
            // ISO: 1000 Z, 2000 M, 3000 ZM.
            switch t / 1000 {
            case 0: break
            case 1, 2: dims = max(dims, 3)
            case 3: dims = 4
            default: throw DecodeError(message: "unknown geometry type \(t)")
            }
            t %= 1000
            guard (1...7).contains(t) else { throw DecodeError(message: "unsupported geometry type \(t)") }
            return (t, dims)
        }

        mutating func geometry(depth: Int) throws(DecodeError) -> Geometry {
            guard depth < 32 else { throw DecodeError(message: "nesting too deep") }
            let (t, dims) = try header()
            switch t {
            case 1: return .point(try coord(dims))
            case 2: return .lineString(try coords(dims))
            case 3: return .polygon(try rings(dims))
            case 4:
                let n = try count(minBytesPerItem: 5)
                var cs = [Coord](); cs.reserveCapacity(n)
                for _ in 0..<n {
                    guard case .point(let c) = try geometry(depth: depth + 1) else { throw DecodeError(message: "MultiPoint member is not a Point") }
                    cs.append(c)
                }
                return .multiPoint(cs)
            case 5:
                let n = try count(minBytesPerItem: 9)
                var ls = [[Coord]](); ls.reserveCapacity(n)
                for _ in 0..<n {
                    guard case .lineString(let l) = try geometry(depth: depth + 1) else { throw DecodeError(message: "MultiLineString member is not a LineString") }
                    ls.append(l)
                }
                return .multiLineString(ls)
            case 6:
                let n = try count(minBytesPerItem: 9)
                var ps = [[[Coord]]](); ps.reserveCapacity(n)
                for _ in 0..<n {
                    guard case .polygon(let p) = try geometry(depth: depth + 1) else { throw DecodeError(message: "MultiPolygon member is not a Polygon") }
                    ps.append(p)
                }
                return .multiPolygon(ps)
            default:
                let n = try count(minBytesPerItem: 5)
                var gs = [Geometry](); gs.reserveCapacity(n)
                for _ in 0..<n { gs.append(try geometry(depth: depth + 1)) }
                return .collection(gs)
            }
        }
    }
}

/// Walks WKB/EWKB in place, for writers that turn it into text without building a `Geometry` (the GML
/// writer). Same rules as `WKB.decode`: either byte order, EWKB SRID skipped, Z and M counted and skipped.
public struct WKBCursor {
    public let buf: UnsafeRawBufferPointer
    public var pos = 0
    /// The byte order of the geometry being read (little-endian when true).
    public var little = true

    public init(_ buf: UnsafeRawBufferPointer) { self.buf = buf }

    public var remaining: Int { buf.count - pos }

    public mutating func u32() throws(WKB.DecodeError) -> UInt32 {
        guard pos + 4 <= buf.count else { throw WKB.DecodeError(message: "truncated") }
        let v = buf.loadUnaligned(fromByteOffset: pos, as: UInt32.self)
        pos += 4
        return little ? UInt32(littleEndian: v) : UInt32(bigEndian: v)
    }

    /// A count of items of at least `minBytesPerItem` bytes each, checked against what is left.
    public mutating func count(minBytesPerItem: Int) throws(WKB.DecodeError) -> Int {
        let n = Int(try u32())
        guard n <= remaining / max(1, minBytesPerItem) else { throw WKB.DecodeError(message: "count \(n) exceeds data") }
        return n
    }

    /// Reads the byte order and type word: the base type (1...7) and the number of ordinates.
    public mutating func header() throws(WKB.DecodeError) -> (type: UInt32, dims: Int) {
        guard pos < buf.count else { throw WKB.DecodeError(message: "truncated") }
        let order = buf[pos]
        pos += 1
        guard order <= 1 else { throw WKB.DecodeError(message: "bad byte order \(order)") }
        little = order == 1
        var t = try u32()
        var dims = 2
        if t & 0x2000_0000 != 0 { _ = try u32() }  // EWKB SRID
        if t & 0x8000_0000 != 0 { dims += 1 }
        if t & 0x4000_0000 != 0 { dims += 1 }
        t &= 0x0FFF_FFFF
        switch t / 1000 {  // ISO: 1000 Z, 2000 M, 3000 ZM
        case 0: break
        case 1, 2: dims = max(dims, 3)
        case 3: dims = 4
        default: throw WKB.DecodeError(message: "unknown geometry type \(t)")
        }
        t %= 1000
        guard (1...7).contains(t) else { throw WKB.DecodeError(message: "unsupported geometry type \(t)") }
        return (t, dims)
    }

    /// The `i`-th ordinate pair of a run of points of `dims` ordinates starting at byte `start`.
    @inlinable
    public func xy(_ start: Int, _ i: Int, dims: Int) -> (Double, Double) {
        let o = start + i * 8 * dims
        let a = buf.loadUnaligned(fromByteOffset: o, as: UInt64.self)
        let b = buf.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self)
        return little ? (Double(bitPattern: UInt64(littleEndian: a)), Double(bitPattern: UInt64(littleEndian: b)))
            : (Double(bitPattern: UInt64(bigEndian: a)), Double(bitPattern: UInt64(bigEndian: b)))
    }

    /// Skips `n` points of `dims` ordinates, checking they are there; returns where they start.
    public mutating func points(_ n: Int, dims: Int) throws(WKB.DecodeError) -> Int {
        guard n <= remaining / (8 * dims) else { throw WKB.DecodeError(message: "truncated") }
        let start = pos
        pos += n * 8 * dims
        return start
    }
}
