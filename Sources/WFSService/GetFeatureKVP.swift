import Config
import Filters
import OGCCore
import VectorData

extension GetFeatureRequest {
    static let getFeatureByIdQuery = "urn:ogc:def:query:OGC-WFS::GetFeatureById"

    /// Parses the KVP encoding of GetFeature / GetPropertyValue.
    static func fromKVP(_ kvp: KVP, version: WFSVersion, catalog: FeatureTypeCatalog, limits: Limits,
                        propertyValue: Bool = false) throws(OGCError) -> GetFeatureRequest {
        let filterLimits = FilterLimits(maxBytes: limits.maxFilterBytes, maxDepth: limits.maxFilterDepth)
        var resourceIDs: [String]? = nil
        var storedQuery = false
        if let sq = kvp.nonEmpty("STOREDQUERY_ID") {
            guard sq == getFeatureByIdQuery else { throw OGCError.invalid("STOREDQUERY_ID", "Unknown stored query \(sq.prefix(100))") }
            resourceIDs = [try kvp.required("ID")]
            storedQuery = true
        }
        if let rid = kvp.nonEmpty("RESOURCEID") ?? kvp.nonEmpty("FEATUREID") {
            resourceIDs = rid.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        }
        let typeParam = kvp.nonEmpty("TYPENAMES") ?? kvp.nonEmpty("TYPENAME")
        let locator = version.typeNamesParameter
        var types: [FeatureType]
        if let typeParam {
            let names = typeParam.split(separator: ",").map { String($0).filter { $0 != "(" && $0 != ")" }.trimmingSpaces }
            types = try catalog.resolve(list: names, locator: locator)
        } else if let ids = resourceIDs {
            types = []
            for id in ids {
                // Ids are `localName.key`; several feature types may share a local name (one per configuration):
                // the id is looked for in each of them.
                let local = id.lastIndex(of: ".").map { String(id[..<$0]) }
                let matching = catalog.types.filter { $0.localName == local }
                guard !matching.isEmpty else {
                    if storedQuery { throw OGCError(.notFound, locator: "ID", "No feature with id \(id.prefix(100))") }
                    throw OGCError.invalid("RESOURCEID", "Unknown resource id \(id.prefix(100))")
                }
                for t in matching where !types.contains(where: { $0.qualifiedName == t.qualifiedName }) { types.append(t) }
            }
        } else {
            throw OGCError.missing(locator)
        }

        let exclusive = ["FILTER", "BBOX", "RESOURCEID"].filter { kvp.nonEmpty($0) != nil }
        if exclusive.count > 1 {
            throw OGCError.invalid(exclusive[1], "FILTER, BBOX and RESOURCEID are mutually exclusive")
        }

        var props: [String]? = nil
        if let p = kvp.nonEmpty("PROPERTYNAME"), p != "*" {
            props = p.split(separator: ",").map { FilterParser.stripPrefix(String($0).filter { $0 != "(" && $0 != ")" }.trimmingSpaces) }
                .filter { !$0.isEmpty }
        }
        let sortBy = try kvp.nonEmpty("SORTBY").map { s throws(OGCError) in try parseSortBy(s) } ?? []
        let srs = try kvp.nonEmpty("SRSNAME").map { s throws(OGCError) in try parseCRS(s, locator: "srsName") }

        var filter: Filter? = nil
        var filterLocator = "FILTER"
        var bbox: BBoxParameter? = nil
        if let f = kvp.nonEmpty("FILTER") {
            var fl = filterLimits; fl.locator = "FILTER"
            var text = f
            // One filter per type may come in parentheses: (<Filter/>)(<Filter/>); the same filter for all is accepted.
            if text.hasPrefix("(") && text.hasSuffix(")") {
                let inner = text.dropFirst().dropLast()
                if !inner.contains(")(") { text = String(inner) } else {
                    throw OGCError(.optionNotSupported, locator: "FILTER", "One filter per type name is not supported; send one query per type")
                }
            }
            filter = try FilterParser.parse(xml: text, limits: fl)
        }
        if let b = kvp.nonEmpty("BBOX") {
            bbox = try parseBBox(b)
        }
        if let ids = resourceIDs {
            filter = .resourceIds(ids)
            filterLocator = storedQuery ? "ID" : "RESOURCEID"
        }
        if let cql = kvp.nonEmpty("CQL_FILTER") {
            var fl = filterLimits; fl.locator = "CQL_FILTER"
            let parts = splitOutsideQuotes(cql, on: ";")
            guard parts.count == 1 || parts.count == types.count else {
                throw OGCError.invalid("CQL_FILTER", "CQL_FILTER needs one filter, or one per type name separated by ';'")
            }
            if parts.count == 1 {
                let c = try CQLParser.parse(cql, limits: fl)
                filter = filter.map { .and([$0, c]) } ?? c
                filterLocator = "CQL_FILTER"
            } else {
                // Per-type CQL filters: build the queries here.
                var queries: [QuerySpec] = []
                for (t, p) in zip(types, parts) {
                    let c = try CQLParser.parse(String(p), limits: fl)
                    queries.append(QuerySpec(type: t, propertyNames: props, filter: filter.map { .and([$0, c]) } ?? c,
                                             filterLocator: "CQL_FILTER", sortBy: sortBy, srsName: srs, bbox: bbox))
                }
                return try finish(kvp, version: version, queries: queries, propertyValue: propertyValue)
            }
        }
        let queries = types.map { QuerySpec(type: $0, propertyNames: props, filter: filter, filterLocator: filterLocator,
                                            sortBy: sortBy, srsName: srs, bbox: bbox) }
        var r = try finish(kvp, version: version, queries: queries, propertyValue: propertyValue)
        r.singleFeature = storedQuery
        return r
    }

    private static func finish(_ kvp: KVP, version: WFSVersion, queries: [QuerySpec], propertyValue: Bool) throws(OGCError) -> GetFeatureRequest {
        var count = try kvp.integer("COUNT", min: 0)
        if count == nil { count = try kvp.integer("MAXFEATURES", min: 0) }
        let start = try kvp.integer("STARTINDEX", min: 0) ?? 0
        var resultType = ResultType.results
        if let rt = kvp.nonEmpty("RESULTTYPE") {
            switch rt.lowercased() {
            case "results": resultType = .results
            case "hits": resultType = .hits
            default: throw OGCError.invalid("resultType", "resultType must be results or hits")
            }
        }
        var valueReference: String? = nil
        if propertyValue {
            let v = try kvp.required("VALUEREFERENCE")
            valueReference = GetFeatureRequest.valueReference(v)
        }
        return GetFeatureRequest(version: version, queries: queries, count: count, startIndex: start, resultType: resultType,
                                 outputFormat: try OutputFormat.parse(kvp.nonEmpty("OUTPUTFORMAT"), version: version),
                                 valueReference: valueReference, isKVP: true)
    }

    /// BBOX=a,b,c,d[,crs]: the numbers as written and the CRS given, if any. Which axis comes first is decided
    /// with the type's native CRS (see `QueryPlanner`).
    static func parseBBox(_ raw: String) throws(OGCError) -> BBoxParameter {
        let parts = raw.split(separator: ",", omittingEmptySubsequences: false)
        var crs: CRSName? = nil
        if parts.count == 5 { crs = try parseCRS(String(parts[4]), locator: "BBOX") }
        let (b, _) = try BBox.parse(raw, parameter: "BBOX", swapAxes: false, allowCRSSuffix: true)
        return BBoxParameter(written: b, crs: crs)
    }
}

/// A KVP BBOX before its axis order is known.
struct BBoxParameter: Sendable {
    /// The four numbers in the order written (minA, minB, maxA, maxB).
    var written: BBox
    var crs: CRSName?
}

/// Splits on `separator` where it is not inside a quoted CQL string ('…', with '' as an escaped quote).
func splitOutsideQuotes(_ s: String, on separator: Character) -> [Substring] {
    var parts: [Substring] = []
    var inQuote = false
    var start = s.startIndex
    for i in s.indices {
        let c = s[i]
        if c == "'" { inQuote.toggle() } else if c == separator && !inQuote {
            parts.append(s[start..<i]); start = s.index(after: i)
        }
    }
    parts.append(s[start...])
    return parts
}
