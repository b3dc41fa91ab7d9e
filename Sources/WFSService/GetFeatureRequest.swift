import Filters
import OGCCore
import VectorData

/// One query of a GetFeature (or GetPropertyValue): a feature type and what to select from it.
struct QuerySpec: Sendable {
    var type: FeatureType
    /// Requested properties (prefixes stripped), nil for all.
    var propertyNames: [String]?
    var filter: Filter?
    /// Which parameter `filter` came from, for error locators (FILTER, CQL_FILTER, BBOX, RESOURCEID).
    var filterLocator: String = "FILTER"
    var sortBy: [SortKey] = []
    var srsName: CRSName?
    /// KVP BBOX, combined with `filter` by AND.
    var bbox: BBoxParameter?
}

enum ResultType: Sendable { case results, hits }

/// A parsed GetFeature / GetPropertyValue request, KVP or XML.
struct GetFeatureRequest: Sendable {
    var version: WFSVersion
    var queries: [QuerySpec]
    var count: Int?
    var startIndex: Int = 0
    var resultType: ResultType = .results
    var outputFormat: OutputFormat
    /// GetPropertyValue's valueReference: a property name, or `@gml:id` for the features' identifiers.
    var valueReference: String?

    /// A valueReference as the planner reads it: the property's name without prefix or path, or `@gml:id`
    /// for the identifier attribute (`@gml:id`, `@id`, `ns:type/@gml:id`).
    static func valueReference(_ raw: String) -> String {
        let last = raw.split(separator: "/").last.map(String.init) ?? raw
        if last == "@gml:id" || last == "@id" { return "@gml:id" }
        return FilterParser.stripPrefix(raw)
    }
    /// True for KVP requests (paging links can be built from the parameters).
    var isKVP: Bool
    /// The GetFeatureById stored query: the feature alone, not in a collection.
    var singleFeature = false
}

extension GetFeatureRequest {
    /// Reads `sortBy` in its KVP forms: `nom ASC,code DESC`, `nom A,code D`, `nom` (ascending); prefixes stripped.
    static func parseSortBy(_ raw: String) throws(OGCError) -> [SortKey] {
        var keys: [SortKey] = []
        for item in raw.split(separator: ",") {
            let parts = item.split(whereSeparator: { $0 == " " || $0 == "+" }).map(String.init)
            guard let name = parts.first, parts.count <= 2 else { throw OGCError.invalid("sortBy", "Bad sortBy item \(item.prefix(64))") }
            var asc = true
            if parts.count == 2 {
                switch parts[1].uppercased() {
                case "ASC", "A": asc = true
                case "DESC", "D": asc = false
                default: throw OGCError.invalid("sortBy", "Sort order must be ASC or DESC, not \(parts[1].prefix(16))")
                }
            }
            keys.append(SortKey(FilterParser.stripPrefix(name), ascending: asc))
        }
        return keys
    }

    /// Parses a CRS parameter (srsName, BBOX suffix); unknown CRSs are InvalidParameterValue at `locator`.
    static func parseCRS(_ raw: String, locator: String) throws(OGCError) -> CRSName {
        guard let c = CRSName.parse(raw), c.isCRS84 || c.epsgCode != nil else {
            throw OGCError.invalid(locator, "Unknown CRS \(raw.prefix(80))")
        }
        return c
    }
}
