import Geo
import OGCCore
import SafeXML

/// Parses XML filters into the `Filter` AST: FES 2.0 (`fes:Filter`) and Filter Encoding 1.1 (`ogc:Filter`, also
/// used inside SLD 1.0 / SE 1.1 rules). Elements are matched by local name, so both namespaces work. Property
/// names lose their namespace prefix (`ns:nom` → `nom`); callers check them against the layer's columns.
/// Literals are kept as strings (XML has no types): `Filter.coercingLiterals(to:)` gives them the column types.
public enum FilterParser {
    public static let fes20Namespace = "http://www.opengis.net/fes/2.0"
    public static let ogcNamespace = "http://www.opengis.net/ogc"

    /// Parses filter XML text (a KVP `FILTER` value or a document). Malformed XML and unknown operators are
    /// `InvalidParameterValue` at `limits.locator`.
    public static func parse(xml: [UInt8], limits: FilterLimits = FilterLimits()) throws(OGCError) -> Filter {
        guard xml.count <= limits.maxBytes else { throw limits.error("The filter is larger than \(limits.maxBytes) bytes") }
        let root: XMLElement
        do {
            root = try SafeXML.parse(xml, maxDepth: limits.maxDepth + 24, maxBytes: limits.maxBytes)
        } catch {
            throw limits.error("The filter is not well-formed XML: \(error.message)")
        }
        return try parse(element: root, limits: limits)
    }

    public static func parse(xml: String, limits: FilterLimits = FilterLimits()) throws(OGCError) -> Filter {
        try parse(xml: Array(xml.utf8), limits: limits)
    }

    /// Parses a `Filter` element (or a bare operator element).
    public static func parse(element: XMLElement, limits: FilterLimits = FilterLimits()) throws(OGCError) -> Filter {
        var p = Parser(limits: limits)
        if element.name == "Filter" {
            let ops = element.children
            guard !ops.isEmpty else { throw limits.error("Empty filter") }
            if ops.allSatisfy({ ["ResourceId", "FeatureId", "GmlObjectId"].contains($0.name) }) {
                guard ops.count <= limits.maxOperators * 20 else { throw limits.error("Too many resource ids") }
                return .resourceIds(try ops.map { e throws(OGCError) in try p.resourceId(e) })
            }
            guard ops.count == 1 else { throw limits.error("A filter holds exactly one operator") }
            return try p.filter(ops[0])
        }
        return try p.filter(element)
    }

    struct Parser {
        let limits: FilterLimits
        var depth = 0
        var operators = 0

        func fail(_ m: String) -> OGCError { limits.error(m) }

        mutating func filter(_ e: XMLElement) throws(OGCError) -> Filter {
            depth += 1
            defer { depth -= 1 }
            guard depth <= limits.maxDepth else { throw fail("The filter is nested deeper than \(limits.maxDepth) levels") }
            operators += 1
            guard operators <= limits.maxOperators else { throw fail("The filter has more than \(limits.maxOperators) operators") }
            let matchCase = (e.attribute("matchCase") ?? "true").lowercased() != "false"
            switch e.name {
            case "And", "Or":
                guard e.children.count >= 2 else { throw fail("\(e.name) needs at least two operands") }
                var fs: [Filter] = []
                for c in e.children { fs.append(try filter(c)) }
                return e.name == "And" ? .and(fs) : .or(fs)
            case "Not":
                guard e.children.count == 1 else { throw fail("Not needs one operand") }
                return .not(try filter(e.children[0]))
            case "PropertyIsEqualTo", "PropertyIsNotEqualTo", "PropertyIsLessThan", "PropertyIsGreaterThan",
                 "PropertyIsLessThanOrEqualTo", "PropertyIsGreaterThanOrEqualTo":
                let ops: [String: ComparisonOp] = [
                    "PropertyIsEqualTo": .equal, "PropertyIsNotEqualTo": .notEqual, "PropertyIsLessThan": .less,
                    "PropertyIsGreaterThan": .greater, "PropertyIsLessThanOrEqualTo": .lessOrEqual,
                    "PropertyIsGreaterThanOrEqualTo": .greaterOrEqual,
                ]
                guard e.children.count == 2 else { throw fail("\(e.name) needs two expressions") }
                return .comparison(ops[e.name]!, try expression(e.children[0]), try expression(e.children[1]), matchCase: matchCase)
            case "PropertyIsLike":
                guard e.children.count == 2 else { throw fail("PropertyIsLike needs a property and a pattern") }
                func char(_ names: [String], _ def: Character) throws(OGCError) -> Character {
                    for n in names { if let v = e.attribute(n) { guard v.count == 1 else { throw fail("\(n) must be one character") }; return v.first! } }
                    return def
                }
                let wild = try char(["wildCard"], "*"), single = try char(["singleChar"], "."),
                    esc = try char(["escapeChar", "escape"], "!")
                guard e.children[1].name == "Literal" else { throw fail("The PropertyIsLike pattern must be a Literal") }
                return .like(try expression(e.children[0]), pattern: e.children[1].text, wildCard: wild, singleChar: single,
                             escape: esc, matchCase: matchCase)
            case "PropertyIsBetween":
                guard let lo = e.child("LowerBoundary")?.children.first, let hi = e.child("UpperBoundary")?.children.first,
                      let x = e.children.first, x.name != "LowerBoundary" else {
                    throw fail("PropertyIsBetween needs an expression, LowerBoundary and UpperBoundary")
                }
                return .between(try expression(x), lower: try expression(lo), upper: try expression(hi))
            case "PropertyIsNull", "PropertyIsNil":
                guard e.children.count == 1 else { throw fail("\(e.name) needs one property") }
                return .isNull(try expression(e.children[0]))
            case "BBOX":
                let prop = try propertyOperand(e)
                guard let g = e.children.first(where: GMLGeometryParser.isGeometry) else { throw fail("BBOX needs an envelope") }
                let geo = try GMLGeometryParser.parse(g, locator: limits.locator)
                guard let b = geo.envelope ?? geo.geometry.bbox else { throw fail("BBOX with an empty geometry") }
                return .bbox(property: prop, b, srid: geo.srid)
            case "Equals", "Disjoint", "Touches", "Within", "Overlaps", "Crosses", "Intersects", "Contains":
                let prop = try propertyOperand(e)
                guard let g = e.children.first(where: GMLGeometryParser.isGeometry) else { throw fail("\(e.name) needs a GML geometry") }
                let geo = try GMLGeometryParser.parse(g, locator: limits.locator)
                return .spatial(SpatialOp(rawValue: e.name)!, property: prop, geometry: geo.geometry, srid: geo.srid)
            case "DWithin", "Beyond":
                let prop = try propertyOperand(e)
                guard let g = e.children.first(where: GMLGeometryParser.isGeometry) else { throw fail("\(e.name) needs a GML geometry") }
                guard let d = e.child("Distance"), let dist = Double(d.trimmedText), dist.isFinite, dist >= 0 else {
                    throw fail("\(e.name) needs a non-negative Distance")
                }
                let geo = try GMLGeometryParser.parse(g, locator: limits.locator)
                return .distance(DistanceOp(rawValue: e.name)!, property: prop, geometry: geo.geometry, srid: geo.srid,
                                 distance: dist, units: d.attribute("uom") ?? d.attribute("units"))
            case "ResourceId", "FeatureId", "GmlObjectId":
                return .resourceIds([try resourceId(e)])
            default:
                throw fail("Unsupported filter operator \(e.qualifiedName)")
            }
        }

        func resourceId(_ e: XMLElement) throws(OGCError) -> String {
            guard let id = e.attribute("rid") ?? e.attribute("fid") ?? e.attribute("id"), !id.isEmpty else {
                throw fail("\(e.name) without an identifier")
            }
            return id
        }

        func propertyOperand(_ e: XMLElement) throws(OGCError) -> String? {
            guard let p = e.children.first(where: { $0.name == "ValueReference" || $0.name == "PropertyName" }) else { return nil }
            return try propertyName(p)
        }

        func propertyName(_ e: XMLElement) throws(OGCError) -> String {
            let raw = e.trimmedText
            guard !raw.isEmpty else { throw fail("Empty \(e.name)") }
            return FilterParser.stripPrefix(raw)
        }

        mutating func expression(_ e: XMLElement) throws(OGCError) -> Expression {
            depth += 1
            defer { depth -= 1 }
            guard depth <= limits.maxDepth + 8 else { throw fail("The filter expression is nested too deep") }
            switch e.name {
            case "ValueReference", "PropertyName": return .property(try propertyName(e))
            case "Literal":
                guard e.children.isEmpty else { throw fail("Geometry literals are only accepted in spatial operators") }
                return .literal(.string(e.text))
            case "Function":
                guard let name = e.attribute("name"), !name.isEmpty else { throw fail("Function without a name") }
                var args: [Expression] = []
                for c in e.children { args.append(try expression(c)) }
                return .function(name, args)
            case "Add", "Sub", "Mul", "Div":
                guard e.children.count == 2 else { throw fail("\(e.name) needs two operands") }
                let op: Character = ["Add": "+", "Sub": "-", "Mul": "*", "Div": "/"][e.name]!
                return .arithmetic(op, try expression(e.children[0]), try expression(e.children[1]))
            default:
                throw fail("Unsupported filter expression \(e.qualifiedName)")
            }
        }
    }

    /// `ns:nom` → `nom`; `ns:Type/ns:nom` → `nom`. Other XPath forms are kept (and then refused as unknown names).
    public static func stripPrefix(_ raw: String) -> String {
        var s = Substring(raw)
        if let slash = s.lastIndex(of: "/"), !s.contains("[") { s = s[s.index(after: slash)...] }
        if let colon = s.firstIndex(of: ":") { s = s[s.index(after: colon)...] }
        return String(s)
    }
}
