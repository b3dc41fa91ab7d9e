import OGCCore

extension Filter {
    /// Gives literals compared with a property that property's column type (XML literals are text; a numeric
    /// column compared with `'12'` gets `12`). A literal that cannot be converted is an `InvalidParameterValue`
    /// at `locator`. Properties not in `types` are left alone (the caller refuses unknown names).
    public func coercingLiterals(to types: [String: FieldType], locator: String = "FILTER") throws(OGCError) -> Filter {
        func convert(_ v: Value, _ t: FieldType?) throws(OGCError) -> Value {
            guard let t else { return v }
            switch (t, v) {
            case (_, .null): return v
            case (.integer, .string(let s)):
                let s = s.trimmingSpaces
                if let i = Int64(s) { return .int(i) }
                if let d = Double(s), d.isFinite { return .double(d) }
                throw OGCError.invalid(locator, "'\(s.prefix(64))' is not a number")
            case (.real, .string(let s)):
                guard let d = Double(s.trimmingSpaces), d.isFinite else { throw OGCError.invalid(locator, "'\(s.prefix(64))' is not a number") }
                return .double(d)
            case (.boolean, .string(let s)):
                switch s.trimmingSpaces.lowercased() {
                case "true", "1": return .bool(true)
                case "false", "0": return .bool(false)
                default: throw OGCError.invalid(locator, "'\(s.prefix(64))' is not a boolean")
                }
            case (.string, .int), (.string, .double), (.date, .int), (.dateTime, .int):
                return .string(v.description)
            default: return v
            }
        }
        func typeOf(_ e: Expression) -> FieldType? { if case .property(let n) = e { return types[n] }; return nil }
        func lit(_ e: Expression, _ t: FieldType?) throws(OGCError) -> Expression {
            if case .literal(let v) = e { return .literal(try convert(v, t)) }
            return e
        }
        switch self {
        case .and(let fs): return .and(try fs.map { f throws(OGCError) in try f.coercingLiterals(to: types, locator: locator) })
        case .or(let fs): return .or(try fs.map { f throws(OGCError) in try f.coercingLiterals(to: types, locator: locator) })
        case .not(let f): return .not(try f.coercingLiterals(to: types, locator: locator))
        case .comparison(let op, let a, let b, let mc):
            return .comparison(op, try lit(a, typeOf(b)), try lit(b, typeOf(a)), matchCase: mc)
        case .between(let e, let lo, let hi):
            let t = typeOf(e)
            return .between(e, lower: try lit(lo, t), upper: try lit(hi, t))
        default: return self
        }
    }
}
