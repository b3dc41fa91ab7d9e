/// Writes geometries as GeoJSON geometry objects (RFC 7946), appending UTF-8 bytes. Coordinates are written as
/// given (x then y: lon/lat for geographic CRSs inside Passerelle), rounded to `decimals` digits, never in
/// exponent notation, with trailing zeros dropped.
public struct GeoJSONWriter: Sendable {
    public var decimals: Int

    public init(decimals: Int = 7) { self.decimals = max(0, min(decimals, 15)) }

    public func string(_ g: Geometry) -> String {
        var out: [UInt8] = []
        append(g, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func bytes(_ g: Geometry) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(WKB.estimatedSize(g) * 2)
        append(g, to: &out)
        return out
    }

    public func append(_ g: Geometry, to out: inout [UInt8]) {
        func lit(_ s: StaticString) { s.withUTF8Buffer { out.append(contentsOf: $0) } }
        switch g {
        case .point(let c):
            lit(#"{"type":"Point","coordinates":"#); coord(c, &out)
        case .lineString(let cs):
            lit(#"{"type":"LineString","coordinates":"#); coords(cs, &out)
        case .polygon(let rs):
            lit(#"{"type":"Polygon","coordinates":"#); rings(rs, &out)
        case .multiPoint(let cs):
            lit(#"{"type":"MultiPoint","coordinates":"#); coords(cs, &out)
        case .multiLineString(let ls):
            lit(#"{"type":"MultiLineString","coordinates":"#); rings(ls, &out)
        case .multiPolygon(let ps):
            lit(#"{"type":"MultiPolygon","coordinates":["#)
            for (i, p) in ps.enumerated() { if i > 0 { out.append(UInt8(ascii: ",")) }; rings(p, &out) }
            out.append(UInt8(ascii: "]"))
        case .collection(let gs):
            lit(#"{"type":"GeometryCollection","geometries":["#)
            for (i, g) in gs.enumerated() { if i > 0 { out.append(UInt8(ascii: ",")) }; append(g, to: &out) }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }

    private func coord(_ c: Coord, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        NumberFormatting.append(c.x, decimals: decimals, to: &out)
        out.append(UInt8(ascii: ","))
        NumberFormatting.append(c.y, decimals: decimals, to: &out)
        out.append(UInt8(ascii: "]"))
    }

    private func coords(_ cs: [Coord], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, c) in cs.enumerated() { if i > 0 { out.append(UInt8(ascii: ",")) }; coord(c, &out) }
        out.append(UInt8(ascii: "]"))
    }

    private func rings(_ rs: [[Coord]], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, r) in rs.enumerated() { if i > 0 { out.append(UInt8(ascii: ",")) }; coords(r, &out) }
        out.append(UInt8(ascii: "]"))
    }
}

/// Fixed-point number text without exponent notation (for GeoJSON, GML and WKT output).
public enum NumberFormatting {
    /// "00", "01", … "99": a constant, read without a lazy global.
    @inlinable static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// 10^d for 0 ≤ d ≤ 15, exact.
    @inlinable
    static func pow10(_ d: Int) -> Double {
        switch d {
        case 0: 1; case 1: 1e1; case 2: 1e2; case 3: 1e3; case 4: 1e4; case 5: 1e5; case 6: 1e6; case 7: 1e7
        case 8: 1e8; case 9: 1e9; case 10: 1e10; case 11: 1e11; case 12: 1e12; case 13: 1e13; case 14: 1e14
        default: 1e15
        }
    }

    /// The most bytes `write(_:decimals:to:)` writes: a sign, 16 digits, a point and a leading zero.
    @inlinable public static var maxFastLength: Int { 20 }

    /// `n` split at `d` decimal digits, (n / 10^d, n % 10^d): each case divides by a constant (a multiplication).
    @inlinable
    static func split(_ n: UInt64, decimals d: Int) -> (integer: UInt64, fraction: UInt64) {
        @inline(__always) func by(_ c: UInt64) -> (UInt64, UInt64) { let q = n / c; return (q, n &- q &* c) }
        switch d {
        case 0: return (n, 0); case 1: return by(10); case 2: return by(100); case 3: return by(1_000)
        case 4: return by(10_000); case 5: return by(100_000); case 6: return by(1_000_000)
        case 7: return by(10_000_000); case 8: return by(100_000_000); case 9: return by(1_000_000_000)
        case 10: return by(10_000_000_000); case 11: return by(100_000_000_000)
        case 12: return by(1_000_000_000_000); case 13: return by(10_000_000_000_000)
        case 14: return by(100_000_000_000_000); default: return by(1_000_000_000_000_000)
        }
    }

    /// The 8 decimal digits of `v` (< 10^8, zero-padded) as byte values 0...9, the most significant in the lowest
    /// byte (memory order): two 4-digit halves, each split in two pairs, each pair in two digits, every lane at
    /// once by multiplying with a reciprocal (10486 / 2^20 is 1/100 below 10^4, 103 / 2^10 is 1/10 below 100).
    @inlinable
    static func eightDigits(_ v: UInt32) -> UInt64 {
        let high = v / 10_000
        var x = UInt64(high) | UInt64(v &- high &* 10_000) << 32
        let hundreds = ((x &* 10_486) >> 20) & 0x0000_007F_0000_007F
        x = hundreds | (x &- hundreds &* 100) << 16
        let tens = ((x &* 103) >> 10) & 0x000F_000F_000F_000F
        return tens | (x &- tens &* 10) << 8
    }

    /// Writes `v` rounded to `decimals` digits, trailing zeros removed, at `p`, which has room for
    /// `maxFastLength` bytes; returns the number of bytes written. Returns nil (writing nothing) for values too
    /// large for exact integer arithmetic at this precision: `append` handles those. NaN and infinities are
    /// written as 0. No allocation and no table: this is the per-coordinate path of the GML and GeoJSON writers.
    @inlinable
    public static func write(_ v: Double, decimals: Int, to p: UnsafeMutablePointer<UInt8>) -> Int? {
        guard v.isFinite else { p[0] = UInt8(ascii: "0"); return 1 }
        let d = max(0, min(decimals, 15))
        let x = abs(v) * pow10(d)
        guard x < 9.0e15 else { return nil }
        // Rounded half away from zero, as `rounded()`, without a libm call: the integer part and the fraction
        // are both exact here. Through Int64 (x < 2^63): one instruction each way, where UInt64 needs a check.
        let whole = Int64(x)
        var n = UInt64(bitPattern: whole)
        if x - Double(whole) >= 0.5 { n += 1 }
        if n == 0 { p[0] = UInt8(ascii: "0"); return 1 }
        if d <= 8, case let (integer, fraction) = split(n, decimals: d), integer < 100_000_000 {
            // The common case (coordinates): both parts have at most 8 digits, each converted at once and
            // stored as one 8-byte word of which only the digits count (at most 18 bytes are touched). A
            // quarter faster than the loop below on longitudes and latitudes at 8 decimals.
            let ascii: UInt64 = 0x3030_3030_3030_3030
            var q = p
            if v < 0 { q.pointee = UInt8(ascii: "-"); q += 1 }
            if integer == 0 {
                q.pointee = UInt8(ascii: "0"); q += 1
            } else {
                let digits = eightDigits(UInt32(truncatingIfNeeded: integer))
                let leadingZeros = digits.trailingZeroBitCount / 8
                UnsafeMutableRawPointer(q).storeBytes(of: ((digits | ascii) >> (8 * leadingZeros)).littleEndian,
                                                      as: UInt64.self)
                q += 8 - leadingZeros
            }
            guard fraction != 0 else { return q - p }
            q.pointee = UInt8(ascii: ".")
            // The fraction's d digits in the low bytes; the zero bytes above them are its trailing zeros.
            let digits = eightDigits(UInt32(truncatingIfNeeded: fraction)) >> (8 * (8 - d))
            UnsafeMutableRawPointer(q + 1).storeBytes(of: (digits | ascii).littleEndian, as: UInt64.self)
            return q + 1 + (8 - digits.leadingZeroBitCount / 8) - p
        }
        var frac = d
        // Drop trailing zeros of the fractional part.
        while frac > 0 && n % 10 == 0 { n /= 10; frac -= 1 }
        var digits = 1
        var bound: UInt64 = 10
        while digits < 16 && n >= bound { digits += 1; bound &*= 10 }
        let intDigits = max(1, digits - frac)
        let sign = v < 0 ? 1 : 0
        let total = sign + intDigits + (frac > 0 ? 1 + frac : 0)
        if sign == 1 { p[0] = UInt8(ascii: "-") }
        var q = p + total
        // Two digits per division where they fall on the same side of the point.
        let pairs = digitPairs.utf8Start
        var f = frac
        while f >= 2 {
            let r = Int(n % 100); n /= 100
            q -= 2; q[0] = pairs[2 * r]; q[1] = pairs[2 * r + 1]
            f -= 2
        }
        if f == 1 { q -= 1; q.pointee = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10); n /= 10 }
        if frac > 0 { q -= 1; q.pointee = UInt8(ascii: ".") }
        var i = intDigits
        while i >= 2 {
            let r = Int(n % 100); n /= 100
            q -= 2; q[0] = pairs[2 * r]; q[1] = pairs[2 * r + 1]
            i -= 2
        }
        if i == 1 { q -= 1; q.pointee = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10) }
        return total
    }

    /// Appends `v` rounded to `decimals` digits, trailing zeros removed. NaN and infinities are written as 0
    /// (they are not valid in JSON).
    public static func append(_ v: Double, decimals: Int, to out: inout [UInt8]) {
        let written: Int? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxFastLength) { buf in
            guard let n = write(v, decimals: decimals, to: buf.baseAddress!) else { return nil }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<n]))
            return n
        }
        if written != nil { return }
        // Too large for exact integer arithmetic at this precision: fall back to fewer decimals.
        let d = max(0, min(decimals, 15))
        if d > 0 { append(v, decimals: d - 1, to: &out) } else { appendInteger(v.rounded(), to: &out) }
    }

    private static func appendInteger(_ v: Double, to out: inout [UInt8]) {
        // Values beyond 9e15 only: print through Int64 when possible, else a plain integer string.
        if abs(v) < 9.2e18 { out.append(contentsOf: String(Int64(v)).utf8) }
        else { out.append(contentsOf: String(format64: v).utf8) }
    }

    public static func string(_ v: Double, decimals: Int) -> String {
        var out: [UInt8] = []
        append(v, decimals: decimals, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

private extension String {
    /// A plain decimal rendering of a huge integral double, without exponent.
    init(format64 v: Double) {
        var s = ""
        var x = abs(v).rounded()
        if x == 0 { self = "0"; return }
        while x >= 1 {
            let r = x.truncatingRemainder(dividingBy: 10)
            s.append(Character(String(Int(r))))
            x = ((x - r) / 10).rounded()
        }
        self = (v < 0 ? "-" : "") + String(s.reversed())
    }
}
