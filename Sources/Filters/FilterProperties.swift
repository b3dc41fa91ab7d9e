extension Filter {
    /// Every property name the filter refers to (to be checked against the layer's columns), without duplicates,
    /// in order of appearance.
    public var propertyNames: [String] {
        var out: [String] = []
        var seen: Set<String> = []
        func add(_ n: String?) { if let n, seen.insert(n).inserted { out.append(n) } }
        func visit(_ e: Expression) {
            switch e {
            case .property(let n): add(n)
            case .literal: break
            case .function(_, let args): args.forEach(visit)
            case .arithmetic(_, let a, let b): visit(a); visit(b)
            }
        }
        func visit(_ f: Filter) {
            switch f {
            case .and(let fs), .or(let fs): fs.forEach(visit)
            case .not(let g): visit(g)
            case .comparison(_, let a, let b, _): visit(a); visit(b)
            case .like(let e, _, _, _, _, _): visit(e)
            case .between(let e, let l, let u): visit(e); visit(l); visit(u)
            case .isNull(let e): visit(e)
            case .spatial(_, let p, _, _), .bbox(let p, _, _), .distance(_, let p, _, _, _, _): add(p)
            case .resourceIds, .include, .exclude: break
            }
        }
        visit(self)
        return out
    }

    /// The nesting depth of logical operators (a single predicate is 1).
    public var depth: Int {
        switch self {
        case .and(let fs), .or(let fs): 1 + (fs.map(\.depth).max() ?? 0)
        case .not(let f): 1 + f.depth
        default: 1
        }
    }

    /// The filter with every property name mapped (for instance to strip a namespace prefix); nil from the
    /// closure keeps the name.
    public func mapPropertyNames(_ f: (String) -> String) -> Filter {
        func m(_ e: Expression) -> Expression {
            switch e {
            case .property(let n): .property(f(n))
            case .literal: e
            case .function(let name, let args): .function(name, args.map(m))
            case .arithmetic(let op, let a, let b): .arithmetic(op, m(a), m(b))
            }
        }
        switch self {
        case .and(let fs): return .and(fs.map { $0.mapPropertyNames(f) })
        case .or(let fs): return .or(fs.map { $0.mapPropertyNames(f) })
        case .not(let g): return .not(g.mapPropertyNames(f))
        case .comparison(let op, let a, let b, let mc): return .comparison(op, m(a), m(b), matchCase: mc)
        case .like(let e, let p, let w, let s, let esc, let mc):
            return .like(m(e), pattern: p, wildCard: w, singleChar: s, escape: esc, matchCase: mc)
        case .between(let e, let l, let u): return .between(m(e), lower: m(l), upper: m(u))
        case .isNull(let e): return .isNull(m(e))
        case .spatial(let op, let p, let g, let s): return .spatial(op, property: p.map(f), geometry: g, srid: s)
        case .bbox(let p, let b, let s): return .bbox(property: p.map(f), b, srid: s)
        case .distance(let op, let p, let g, let s, let d, let u):
            return .distance(op, property: p.map(f), geometry: g, srid: s, distance: d, units: u)
        case .resourceIds, .include, .exclude: return self
        }
    }
}
