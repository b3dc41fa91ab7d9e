import Config
import Filters
import OGCCore
import SafeXML
import VectorData

extension GetFeatureRequest {
    /// Parses a POSTed `wfs:GetFeature` / `wfs:GetPropertyValue` with its `wfs:Query` (or `wfs:StoredQuery`) elements.
    static func fromXML(_ root: XMLElement, version: WFSVersion, catalog: FeatureTypeCatalog, limits: Limits) throws(OGCError) -> GetFeatureRequest {
        let filterLimits = FilterLimits(maxBytes: limits.maxFilterBytes, maxDepth: limits.maxFilterDepth, locator: "Filter")
        func int(_ name: String) throws(OGCError) -> Int? {
            guard let s = root.attribute(name) else { return nil }
            guard let v = Int(s.trimmingSpaces), v >= 0 else { throw OGCError.invalid(name, "\(name) must be a non-negative integer") }
            return v
        }
        var queries: [QuerySpec] = []
        var single = false
        for q in root.children {
            switch q.name {
            case "Query":
                guard let tn = q.attribute("typeNames") ?? q.attribute("typeName") else { throw OGCError.missing(version.typeNamesParameter) }
                var types: [FeatureType] = []
                for n in tn.split(separator: " ").flatMap({ $0.split(separator: ",") }) {
                    let resolved = q.resolve(qname: String(n))
                    types.append(try catalog.resolve(String(n), namespaceURI: resolved.namespace, locator: version.typeNamesParameter))
                }
                let srs = try q.attribute("srsName").map { s throws(OGCError) in try parseCRS(s, locator: "srsName") }
                var props: [String]? = nil
                var filter: Filter? = nil
                var sort: [SortKey] = []
                for c in q.children {
                    switch c.name {
                    case "PropertyName":
                        let n = FilterParser.stripPrefix(c.trimmedText)
                        if n != "*" { props = (props ?? []) + [n] }
                    case "Filter":
                        filter = try FilterParser.parse(element: c, limits: filterLimits)
                    case "SortBy":
                        for sp in c.children(where: "SortProperty") {
                            guard let name = sp.children.first(where: { $0.name == "ValueReference" || $0.name == "PropertyName" })?.trimmedText,
                                  !name.isEmpty else { throw OGCError.invalid("SortBy", "SortProperty without a property") }
                            let order = sp.child("SortOrder")?.trimmedText.uppercased() ?? "ASC"
                            guard order == "ASC" || order == "DESC" else { throw OGCError.invalid("SortBy", "SortOrder must be ASC or DESC") }
                            sort.append(SortKey(FilterParser.stripPrefix(name), ascending: order == "ASC"))
                        }
                    default:
                        throw OGCError(.operationParsingFailed, locator: c.name, "Unexpected element \(c.qualifiedName) in wfs:Query")
                    }
                }
                for t in types {
                    queries.append(QuerySpec(type: t, propertyNames: props, filter: filter, filterLocator: "Filter", sortBy: sort, srsName: srs))
                }
            case "StoredQuery":
                guard q.attribute("id") == getFeatureByIdQuery else {
                    throw OGCError.invalid("StoredQuery_id", "Unknown stored query \(q.attribute("id")?.prefix(100) ?? "")")
                }
                guard let id = q.children.first(where: { $0.name == "Parameter" && $0.attribute("name")?.uppercased() == "ID" })?.trimmedText,
                      let dot = id.lastIndex(of: "."), let t = catalog.types.first(where: { $0.localName == String(id[..<dot]) }) else {
                    throw OGCError(.notFound, locator: "ID", "No such feature")
                }
                queries.append(QuerySpec(type: t, filter: .resourceIds([id]), filterLocator: "ID"))
                single = true
            default:
                throw OGCError(.operationParsingFailed, locator: q.name, "Unexpected element \(q.qualifiedName) in \(root.name)")
            }
        }
        guard !queries.isEmpty else { throw OGCError.missing(version.typeNamesParameter) }
        var resultType = ResultType.results
        if let rt = root.attribute("resultType") {
            guard ["results", "hits"].contains(rt) else { throw OGCError.invalid("resultType", "resultType must be results or hits") }
            resultType = rt == "hits" ? .hits : .results
        }
        var valueReference: String? = nil
        if root.name == "GetPropertyValue" {
            guard let v = root.attribute("valueReference") else { throw OGCError.missing("valueReference") }
            valueReference = GetFeatureRequest.valueReference(v)
        }
        var count = try int("count")
        if count == nil { count = try int("maxFeatures") }
        var r = GetFeatureRequest(version: version, queries: queries, count: count,
                                  startIndex: try int("startIndex") ?? 0, resultType: resultType,
                                  outputFormat: try OutputFormat.parse(root.attribute("outputFormat"), version: version),
                                  valueReference: valueReference, isKVP: false)
        r.singleFeature = single
        return r
    }
}

extension XMLElement {
    func children(where localName: String) -> [XMLElement] { children.filter { $0.name == localName } }
}
