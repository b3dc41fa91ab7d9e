import Geo
import OGCCore

/// Evaluates a filter on one feature in memory (SLD rule filters, tests). Spatial predicates are exact for
/// points against polygons and envelopes, and fall back to bounding-box tests otherwise.
public struct FilterEvaluator: Sendable {
    public init() {}

    /// - Parameters:
    ///   - property: the value of an attribute by name (nil when the feature has no such attribute).
    ///   - geometry: the feature's geometry, in the same CRS as the filter's literals.
    ///   - id: the feature id (for `ResourceId`).
    public func evaluate(_ f: Filter, property: (String) -> Value?, geometry: Geometry?, id: String? = nil) -> Bool {
        switch f {
        case .include: return true
        case .exclude: return false
        case .and(let fs): return fs.allSatisfy { evaluate($0, property: property, geometry: geometry, id: id) }
        case .or(let fs): return fs.contains { evaluate($0, property: property, geometry: geometry, id: id) }
        case .not(let g): return !evaluate(g, property: property, geometry: geometry, id: id)
        case .comparison(let op, let a, let b, let mc):
            let va = value(a, property), vb = value(b, property)
            guard let c = compare(va, vb, matchCase: mc) else { return false }
            switch op {
            case .equal: return c == 0
            case .notEqual: return c != 0
            case .less: return c < 0
            case .greater: return c > 0
            case .lessOrEqual: return c <= 0
            case .greaterOrEqual: return c >= 0
            }
        case .like(let e, let pattern, let w, let s, let esc, let mc):
            let v = value(e, property)
            if case .null = v { return false }
            return FilterEvaluator.like(v.description, pattern, wildCard: w, singleChar: s, escape: esc, matchCase: mc)
        case .between(let e, let lo, let hi):
            let v = value(e, property)
            guard let a = compare(v, value(lo, property), matchCase: true),
                  let b = compare(v, value(hi, property), matchCase: true) else { return false }
            return a >= 0 && b <= 0
        case .isNull(let e):
            if case .null = value(e, property) { return true }
            return false
        case .resourceIds(let ids):
            guard let id else { return false }
            return ids.contains { $0 == id || $0.hasSuffix("." + id) }
        case .bbox(_, let b, _):
            guard let g = geometry, let gb = g.bbox else { return false }
            return gb.intersects(b) && Spatial.intersects(g, .polygon([b.ring]))
        case .spatial(let op, _, let lit, _):
            guard let g = geometry else { return false }
            return Spatial.evaluate(op, g, lit)
        case .distance(let op, _, let lit, _, let d, _):
            guard let g = geometry, let gb = g.bbox, let lb = lit.bbox else { return false }
            let near = gb.expanded(by: d).intersects(lb) && Spatial.minDistance(g, lit) <= d
            return op == .dWithin ? near : !near
        }
    }

    func value(_ e: Expression, _ property: (String) -> Value?) -> Value {
        switch e {
        case .property(let n): return property(n) ?? .null
        case .literal(let v): return v
        case .function(let name, let args):
            let vs = args.map { value($0, property) }
            switch name.lowercased() {
            case "strtolowercase", "lower": return vs.first.map { .string($0.description.lowercased()) } ?? .null
            case "strtouppercase", "upper": return vs.first.map { .string($0.description.uppercased()) } ?? .null
            case "strlength", "length": return vs.first.map { .int(Int64($0.description.count)) } ?? .null
            case "strconcat", "concat": return .string(vs.map(\.description).joined())
            default: return .null
            }
        case .arithmetic(let op, let a, let b):
            guard let x = value(a, property).doubleValue, let y = value(b, property).doubleValue else { return .null }
            switch op {
            case "+": return .double(x + y)
            case "-": return .double(x - y)
            case "*": return .double(x * y)
            default: return y == 0 ? .null : .double(x / y)
            }
        }
    }

    /// Orders two values: numerically when both are numbers (or numeric text against a number), else as text.
    /// Nil when either is NULL.
    func compare(_ a: Value, _ b: Value, matchCase: Bool) -> Int? {
        if case .null = a { return nil }
        if case .null = b { return nil }
        let numeric: Bool = {
            switch (a, b) {
            case (.string, .string): return false
            default: return true
            }
        }()
        if numeric, let x = a.doubleValue, let y = b.doubleValue { return x < y ? -1 : (x > y ? 1 : 0) }
        var s = a.description, t = b.description
        if !matchCase { s = s.lowercased(); t = t.lowercased() }
        return s < t ? -1 : (s > t ? 1 : 0)
    }

    /// SQL-LIKE matching with the filter's wildcard characters.
    public static func like(_ text: String, _ pattern: String, wildCard: Character, singleChar: Character, escape: Character,
                            matchCase: Bool) -> Bool {
        enum Tok: Equatable { case any, one, char(Character) }
        var toks: [Tok] = []
        var escaped = false
        for c in pattern {
            if escaped { toks.append(.char(c)); escaped = false }
            else if c == escape { escaped = true }
            else if c == wildCard { toks.append(.any) }
            else if c == singleChar { toks.append(.one) }
            else { toks.append(.char(c)) }
        }
        let s = Array(matchCase ? text : text.lowercased())
        if !matchCase { toks = toks.map { if case .char(let c) = $0 { return .char(Character(c.lowercased())) }; return $0 } }
        // Iterative wildcard matching with backtracking on the last `any`.
        var i = 0, j = 0, star = -1, mark = 0
        while i < s.count {
            if j < toks.count, toks[j] == .one || toks[j] == .char(s[i]) { i += 1; j += 1 }
            else if j < toks.count, toks[j] == .any { star = j; mark = i; j += 1 }
            else if star >= 0 { j = star + 1; mark += 1; i = mark }
            else { return false }
        }
        while j < toks.count, toks[j] == .any { j += 1 }
        return j == toks.count
    }
}

extension BBox {
    /// The closed exterior ring of this box.
    public var ring: [Coord] {
        [Coord(minX, minY), Coord(maxX, minY), Coord(maxX, maxY), Coord(minX, maxY), Coord(minX, minY)]
    }
}
