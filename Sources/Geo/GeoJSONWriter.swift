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
    private static let powers: [Double] = (0...15).map { var p = 1.0; for _ in 0..<$0 { p *= 10 }; return p }

    /// Appends `v` rounded to `decimals` digits, trailing zeros removed. NaN and infinities are written as 0
    /// (they are not valid in JSON).
    public static func append(_ v: Double, decimals: Int, to out: inout [UInt8]) {
        guard v.isFinite else { out.append(UInt8(ascii: "0")); return }
        let d = max(0, min(decimals, 15))
        let scale = powers[d]
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9.0e15 else {
            // Too large for exact integer arithmetic at this precision: fall back to fewer decimals.
            if d > 0 { append(v, decimals: d - 1, to: &out) } else { appendInteger(v.rounded(), to: &out) }
            return
        }
        var n = UInt64(scaled)
        if n == 0 { out.append(UInt8(ascii: "0")); return }
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var frac = d
        // Drop trailing zeros of the fractional part.
        while frac > 0 && n % 10 == 0 { n /= 10; frac -= 1 }
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var m = n
        repeat { digits.append(UInt8(ascii: "0") + UInt8(m % 10)); m /= 10 } while m > 0
        while digits.count <= frac { digits.append(UInt8(ascii: "0")) }
        // digits are reversed
        for i in stride(from: digits.count - 1, through: 0, by: -1) {
            out.append(digits[i])
            if i == frac && frac > 0 { out.append(UInt8(ascii: ".")) }
        }
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
