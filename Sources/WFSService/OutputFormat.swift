import OGCCore

/// The feature encodings GetFeature writes.
enum OutputFormat: Sendable, Equatable {
    case gml32, gml311, geoJSON, csv

    var contentType: String {
        switch self {
        case .gml32: "application/gml+xml; version=3.2"
        case .gml311: "text/xml; subtype=gml/3.1.1"
        case .geoJSON: "application/json"
        case .csv: "text/csv; charset=UTF-8"
        }
    }

    /// The formats advertised in capabilities for a version.
    static func advertised(_ v: WFSVersion) -> [String] {
        [v.gmlFormat, "application/json", "text/csv"]
    }

    /// Parses an outputFormat value for a version; nil value → the version's GML.
    static func parse(_ raw: String?, version: WFSVersion) throws(OGCError) -> OutputFormat {
        guard let raw, !raw.trimmingSpaces.isEmpty else { return version == .v200 ? .gml32 : .gml311 }
        let k = raw.lowercased().filter { $0 != " " && $0 != "\"" }
        switch k {
        case "application/json", "json", "geojson", "application/geo+json", "application/vnd.geo+json":
            return .geoJSON
        case "csv", "text/csv":
            return .csv
        case "application/gml+xml;version=3.2", "text/xml;subtype=gml/3.2", "gml32", "application/gml+xml",
             "text/xml;subtype=gml/3.2.1", "application/gml+xml;version=3.2.1":
            if version == .v200 { return .gml32 }
        case "text/xml;subtype=gml/3.1.1", "gml3", "text/xml", "application/gml+xml;version=3.1", "gml/3.1.1":
            if version == .v110 { return .gml311 }
        default: break
        }
        throw OGCError.invalid("outputFormat", "Unsupported outputFormat \(raw) for WFS \(version.rawValue); use \(advertised(version).joined(separator: ", "))")
    }
}
