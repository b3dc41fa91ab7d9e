import Geo

/// Reads WKT geometry literals (as in CQL/ECQL): POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING,
/// MULTIPOLYGON, GEOMETRYCOLLECTION and ECQL's ENVELOPE(minx, maxx, maxy, miny). Z/M values are dropped.
/// Works on CQL tokens so the geometry can sit inside a CQL expression.
struct WKTReader {
    var tokens: [CQLToken]
    var pos: Int

    struct Failure: Error { var message: String }

    mutating func next() -> CQLToken { let t = tokens[pos]; if t != .end { pos += 1 }; return t }
    func peek() -> CQLToken { tokens[pos] }

    mutating func expect(_ sym: String) throws(Failure) {
        guard next() == .symbol(sym) else { throw Failure(message: "Expected '\(sym)' in WKT") }
    }

    mutating func geometry() throws(Failure) -> Geometry {
        guard let kw = next().keyword else { throw Failure(message: "Expected a WKT geometry") }
        if kw == "SRID=" || kw.hasPrefix("SRID") { throw Failure(message: "EWKT SRID prefixes are not supported") }
        // Optional Z / M / ZM dimension markers.
        var dims = 2
        if let k = peek().keyword, ["Z", "M", "ZM"].contains(k) { _ = next(); dims = k == "ZM" ? 4 : 3 }
        if peek().keyword == "EMPTY" { _ = next(); return empty(kw) }
        switch kw {
        case "POINT": try expect("("); let c = try coord(dims); try expect(")"); return .point(c)
        case "LINESTRING": return .lineString(try coordList(dims))
        case "POLYGON": return .polygon(try rings(dims))
        case "MULTIPOINT":
            try expect("(")
            var pts: [Coord] = []
            repeat {
                if peek() == .symbol("(") { _ = next(); pts.append(try coord(dims)); try expect(")") } else { pts.append(try coord(dims)) }
            } while try comma()
            try expect(")")
            return .multiPoint(pts)
        case "MULTILINESTRING":
            try expect("(")
            var ls: [[Coord]] = []
            repeat { ls.append(try coordList(dims)) } while try comma()
            try expect(")")
            return .multiLineString(ls)
        case "MULTIPOLYGON":
            try expect("(")
            var ps: [[[Coord]]] = []
            repeat { ps.append(try rings(dims)) } while try comma()
            try expect(")")
            return .multiPolygon(ps)
        case "GEOMETRYCOLLECTION":
            try expect("(")
            var gs: [Geometry] = []
            repeat { gs.append(try geometry()) } while try comma()
            try expect(")")
            return .collection(gs)
        case "ENVELOPE":
            try expect("(")
            let minx = try number(); try expect(","); let maxx = try number(); try expect(",")
            let maxy = try number(); try expect(","); let miny = try number(); try expect(")")
            guard minx <= maxx, miny <= maxy else { throw Failure(message: "ENVELOPE minimum above maximum") }
            return .polygon([[Coord(minx, miny), Coord(maxx, miny), Coord(maxx, maxy), Coord(minx, maxy), Coord(minx, miny)]])
        default:
            throw Failure(message: "Unsupported WKT geometry \(kw)")
        }
    }

    func empty(_ kw: String) -> Geometry {
        switch kw {
        case "LINESTRING": .lineString([])
        case "POLYGON": .polygon([])
        case "MULTIPOINT": .multiPoint([])
        case "MULTILINESTRING": .multiLineString([])
        case "MULTIPOLYGON": .multiPolygon([])
        default: .collection([])
        }
    }

    mutating func comma() throws(Failure) -> Bool {
        if peek() == .symbol(",") { _ = next(); return true }
        return false
    }

    mutating func number() throws(Failure) -> Double {
        var sign = 1.0
        if peek() == .symbol("-") { _ = next(); sign = -1 } else if peek() == .symbol("+") { _ = next() }
        guard case .number(let d, _, _) = next() else { throw Failure(message: "Expected a number in WKT") }
        return sign * d
    }

    mutating func coord(_ dims: Int) throws(Failure) -> Coord {
        let x = try number(), y = try number()
        var extra = dims - 2
        // Tolerate an undeclared Z value.
        if dims == 2, case .number = peek() { extra = 1 } else if dims == 2, peek() == .symbol("-") { extra = 1 }
        for _ in 0..<extra { _ = try number() }
        return Coord(x, y)
    }

    mutating func coordList(_ dims: Int) throws(Failure) -> [Coord] {
        try expect("(")
        var cs: [Coord] = []
        repeat { cs.append(try coord(dims)) } while try comma()
        try expect(")")
        return cs
    }

    mutating func rings(_ dims: Int) throws(Failure) -> [[Coord]] {
        try expect("(")
        var rs: [[Coord]] = []
        repeat {
            let r = try coordList(dims)
            guard r.count >= 4, r.first == r.last else { throw Failure(message: "A WKT polygon ring must be closed with at least four points") }
            rs.append(r)
        } while try comma()
        try expect(")")
        return rs
    }
}

/// Parses a WKT string on its own (for tests and clients).
public enum WKT {
    public static func parse(_ text: String) -> Geometry? {
        guard case .success(let toks) = CQLLexer.tokenize(text) else { return nil }
        var r = WKTReader(tokens: toks, pos: 0)
        guard let g = try? r.geometry(), r.peek() == .end else { return nil }
        return g
    }
}
