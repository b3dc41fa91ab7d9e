import Geo
import OGCCore

/// Parses CQL / ECQL text (GeoServer's `CQL_FILTER`) for the common subset: comparisons (`=`, `<>`, `<`, `>`,
/// `<=`, `>=`), arithmetic, `[NOT] LIKE` / `ILIKE` (`%` any, `_` one, `\` escape), `[NOT] BETWEEN … AND …`,
/// `IS [NOT] NULL`, `[NOT] IN (…)`, ECQL `IN ('id', …)` for feature ids, `AND` / `OR` / `NOT`, parentheses,
/// `INCLUDE` / `EXCLUDE`, `BBOX(geom, minx, miny, maxx, maxy[, 'EPSG:xxxx'])`, the binary spatial predicates
/// `INTERSECTS|WITHIN|CONTAINS|DISJOINT|TOUCHES|CROSSES|OVERLAPS|EQUALS(geom, WKT)` and
/// `DWITHIN|BEYOND(geom, WKT, distance, units)`. WKT is in x/y (longitude first) order.
public enum CQLParser {
    public static func parse(_ text: String, limits: FilterLimits = FilterLimits(locator: "CQL_FILTER")) throws(OGCError) -> Filter {
        guard text.utf8.count <= limits.maxBytes else { throw limits.error("The filter is larger than \(limits.maxBytes) bytes") }
        let tokens: [CQLToken]
        switch CQLLexer.tokenize(text) {
        case .success(let t): tokens = t
        case .failure(let e): throw limits.error("CQL syntax error: \(e.message)")
        }
        var p = Parser(tokens: tokens, limits: limits)
        do {
            let f = try p.orExpr()
            guard p.peek() == .end else { throw CQLSyntaxError(message: "Unexpected text after the filter") }
            return f
        } catch let e as CQLSyntaxError {
            throw limits.error("CQL syntax error: \(e.message)")
        } catch let e as WKTReader.Failure {
            throw limits.error("CQL syntax error: \(e.message)")
        } catch let e as OGCError {
            throw e
        } catch {
            throw limits.error("CQL syntax error")
        }
    }

    struct Parser {
        var tokens: [CQLToken]
        var pos = 0
        let limits: FilterLimits
        var depth = 0
        var operators = 0

        init(tokens: [CQLToken], limits: FilterLimits) { self.tokens = tokens; self.limits = limits }

        func peek(_ k: Int = 0) -> CQLToken { tokens[min(pos + k, tokens.count - 1)] }
        mutating func next() -> CQLToken { let t = tokens[pos]; if t != .end { pos += 1 }; return t }
        func err(_ m: String) -> CQLSyntaxError { CQLSyntaxError(message: m) }
        mutating func expect(_ s: String) throws {
            guard next() == .symbol(s) else { throw err("Expected '\(s)'") }
        }
        mutating func accept(keyword k: String) -> Bool {
            if peek().keyword == k { pos += 1; return true }
            return false
        }

        mutating func count() throws {
            operators += 1
            guard operators <= limits.maxOperators else { throw limits.error("The filter has more than \(limits.maxOperators) operators") }
        }

        mutating func enter() throws {
            depth += 1
            guard depth <= limits.maxDepth else { throw limits.error("The filter is nested deeper than \(limits.maxDepth) levels") }
        }

        mutating func orExpr() throws -> Filter {
            try enter(); defer { depth -= 1 }
            var parts = [try andExpr()]
            while accept(keyword: "OR") { parts.append(try andExpr()) }
            return parts.count == 1 ? parts[0] : .or(parts)
        }

        mutating func andExpr() throws -> Filter {
            var parts = [try notExpr()]
            while accept(keyword: "AND") { parts.append(try notExpr()) }
            return parts.count == 1 ? parts[0] : .and(parts)
        }

        mutating func notExpr() throws -> Filter {
            if accept(keyword: "NOT") {
                try enter(); defer { depth -= 1 }
                return .not(try notExpr())
            }
            return try primary()
        }

        mutating func primary() throws -> Filter {
            try count()
            if peek() == .symbol("(") {
                // A parenthesised predicate, or an arithmetic expression starting a comparison: try the first.
                let save = pos, savedDepth = depth, savedOperators = operators
                _ = next()
                if let f = try? orExpr(), peek() == .symbol(")") {
                    _ = next()
                    return f
                }
                pos = save
                depth = savedDepth
                operators = savedOperators
            }
            if let k = peek().keyword, peek(1) == .symbol("(") || ["INCLUDE", "EXCLUDE"].contains(k) {
                switch k {
                case "INCLUDE": _ = next(); return .include
                case "EXCLUDE": _ = next(); return .exclude
                case "BBOX": return try bbox()
                case "INTERSECTS", "WITHIN", "CONTAINS", "DISJOINT", "TOUCHES", "CROSSES", "OVERLAPS", "EQUALS":
                    return try spatial(k)
                case "DWITHIN", "BEYOND": return try distance(k)
                case "IN": return try ids()
                default: break
                }
            }
            return try predicate()
        }

        mutating func ids() throws -> Filter {
            _ = next(); try expect("(")
            var ids: [String] = []
            repeat {
                switch next() {
                case .string(let s): ids.append(s)
                case .number(_, _, let t): ids.append(t)
                default: throw err("IN expects feature ids")
                }
            } while acceptComma()
            try expect(")")
            return .resourceIds(ids)
        }

        mutating func acceptComma() -> Bool {
            if peek() == .symbol(",") { pos += 1; return true }
            return false
        }

        mutating func propertyArg() throws -> String {
            switch next() {
            case .word(let w): return FilterParser.stripPrefix(w)
            case .quotedName(let n): return n
            default: throw err("Expected a geometry property name")
            }
        }

        mutating func signedNumber() throws -> Double {
            var sign = 1.0
            if peek() == .symbol("-") { _ = next(); sign = -1 } else if peek() == .symbol("+") { _ = next() }
            guard case .number(let d, _, _) = next() else { throw err("Expected a number") }
            return sign * d
        }

        mutating func wkt() throws -> Geometry {
            var r = WKTReader(tokens: tokens, pos: pos)
            let g = try r.geometry()
            pos = r.pos
            return g
        }

        mutating func bbox() throws -> Filter {
            _ = next(); try expect("(")
            let prop = try propertyArg()
            try expect(","); let a = try signedNumber()
            try expect(","); let b = try signedNumber()
            try expect(","); let c = try signedNumber()
            try expect(","); let d = try signedNumber()
            var srid: Int? = nil
            if acceptComma() {
                guard case .string(let crs) = next(), let name = CRSName.parse(crs) else { throw err("BBOX expects a CRS such as 'EPSG:4326'") }
                srid = name.isCRS84 ? 4326 : name.epsgCode
                guard srid != nil else { throw err("BBOX CRS must be an EPSG code") }
                if name.swapsAxesInWFS {
                    try expect(")")
                    return try makeBBox(prop, b, a, d, c, srid)
                }
            }
            try expect(")")
            return try makeBBox(prop, a, b, c, d, srid)
        }

        func makeBBox(_ p: String, _ minx: Double, _ miny: Double, _ maxx: Double, _ maxy: Double, _ srid: Int?) throws -> Filter {
            guard minx <= maxx, miny <= maxy else { throw err("BBOX minimum above maximum") }
            return .bbox(property: p, BBox(minX: minx, minY: miny, maxX: maxx, maxY: maxy), srid: srid)
        }

        mutating func spatial(_ k: String) throws -> Filter {
            _ = next(); try expect("(")
            let prop = try propertyArg()
            try expect(",")
            let g = try wkt()
            try expect(")")
            return .spatial(SpatialOp(rawValue: k.prefix(1) + k.dropFirst().lowercased())!, property: prop, geometry: g, srid: nil)
        }

        mutating func distance(_ k: String) throws -> Filter {
            _ = next(); try expect("(")
            let prop = try propertyArg()
            try expect(",")
            let g = try wkt()
            try expect(",")
            let d = try signedNumber()
            guard d >= 0 else { throw err("Distance must not be negative") }
            try expect(",")
            let units: String
            switch next() {
            case .word(let w): units = w
            case .string(let s): units = s
            default: throw err("Expected distance units")
            }
            try expect(")")
            return .distance(k == "DWITHIN" ? .dWithin : .beyond, property: prop, geometry: g, srid: nil, distance: d, units: units)
        }

        mutating func predicate() throws -> Filter {
            let lhs = try scalar()
            let negated = accept(keyword: "NOT")
            if let k = peek().keyword {
                switch k {
                case "LIKE", "ILIKE":
                    _ = next()
                    guard case .string(let pattern) = next() else { throw err("LIKE expects a quoted pattern") }
                    let f = Filter.like(lhs, pattern: pattern, wildCard: "%", singleChar: "_", escape: "\\", matchCase: k == "LIKE")
                    return negated ? .not(f) : f
                case "BETWEEN":
                    _ = next()
                    let lo = try scalar()
                    guard accept(keyword: "AND") else { throw err("BETWEEN expects AND") }
                    let hi = try scalar()
                    let f = Filter.between(lhs, lower: lo, upper: hi)
                    return negated ? .not(f) : f
                case "IN":
                    _ = next(); try expect("(")
                    var alts: [Filter] = []
                    repeat { try count(); alts.append(.comparison(.equal, lhs, try scalar(), matchCase: true)) } while acceptComma()
                    try expect(")")
                    let f: Filter = alts.count == 1 ? alts[0] : .or(alts)
                    return negated ? .not(f) : f
                case "IS" where !negated:
                    _ = next()
                    let not = accept(keyword: "NOT")
                    guard accept(keyword: "NULL") else { throw err("IS expects NULL or NOT NULL") }
                    return not ? .not(.isNull(lhs)) : .isNull(lhs)
                default: break
                }
            }
            if negated { throw err("NOT must be followed by LIKE, ILIKE, BETWEEN or IN here") }
            guard case .symbol(let s) = peek(), let op = ComparisonOp(rawValue: s) else {
                throw err("Expected a comparison operator")
            }
            _ = next()
            return .comparison(op, lhs, try scalar(), matchCase: true)
        }

        mutating func scalar() throws -> Expression {
            var e = try term()
            while case .symbol(let s) = peek(), s == "+" || s == "-" {
                _ = next()
                e = .arithmetic(Character(s), e, try term())
            }
            return e
        }

        mutating func term() throws -> Expression {
            var e = try factor()
            while case .symbol(let s) = peek(), s == "*" || s == "/" {
                _ = next()
                e = .arithmetic(Character(s), e, try factor())
            }
            return e
        }

        mutating func factor() throws -> Expression {
            try enter(); defer { depth -= 1 }
            switch next() {
            case .number(let d, let isInt, let text):
                return .literal(isInt ? .int(Int64(text)!) : .double(d))
            case .string(let s): return .literal(.string(s))
            case .quotedName(let n): return .property(n)
            case .symbol("-"):
                let inner = try factor()
                if case .literal(.int(let i)) = inner { return .literal(.int(-i)) }
                if case .literal(.double(let d)) = inner { return .literal(.double(-d)) }
                return .arithmetic("-", .literal(.int(0)), inner)
            case .symbol("("):
                let e = try scalar()
                try expect(")")
                return e
            case .word(let w):
                switch w.uppercased() {
                case "TRUE": return .literal(.bool(true))
                case "FALSE": return .literal(.bool(false))
                case "NULL": return .literal(.null)
                default: break
                }
                if peek() == .symbol("(") {
                    _ = next()
                    var args: [Expression] = []
                    if peek() != .symbol(")") { repeat { args.append(try scalar()) } while acceptComma() }
                    try expect(")")
                    return .function(w, args)
                }
                return .property(FilterParser.stripPrefix(w))
            default:
                throw err("Expected a value or a property name")
            }
        }
    }
}
