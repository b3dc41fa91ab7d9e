import Filters
import Foundation
import Geo
import OGCCore
import VectorData

/// What a collection's header and footer say.
struct CollectionInfo: Sendable {
    var version: WFSVersion
    var numberMatched: Int
    var numberReturned: Int
    /// `resultType=hits`: the answer counts the features and holds none.
    var hits = false
    var timeStamp: String = Date.now.formatted(.iso8601)
    var next: String?
    var previous: String?
    /// prefix → namespace URI of the types in the answer.
    var namespaces: [(String, String)] = []
    /// `namespace DescribeFeatureType-URL` pairs for xsi:schemaLocation.
    var schemaLocations: [String] = []
}

/// Writes a feature collection piece by piece, so features stream.
protocol FeatureEncoder: Sendable {
    func begin(_ info: CollectionInfo, to out: inout [UInt8])
    func feature(_ f: Feature, _ plan: PlannedQuery, first: Bool, to out: inout [UInt8]) throws
    func end(_ info: CollectionInfo, returned: Int, to out: inout [UInt8])
    /// The encoder to write the features of one query with: what depends only on the query (tags, CRS) made
    /// once, not per feature.
    func prepared(for plan: PlannedQuery) -> any FeatureEncoder
}

extension FeatureEncoder {
    func prepared(for plan: PlannedQuery) -> any FeatureEncoder { self }
}

extension Feature {
    /// The feature's geometry, decoded from WKB.
    func decodedGeometry() throws -> Geometry? {
        guard let g = geometry, !g.isEmpty else { return nil }
        return try WKB.decode(g)
    }
}

/// `communes.12`, made a valid NCName for gml:id.
func featureID(_ type: FeatureType, _ id: String) -> String {
    let raw = type.localName + "."
    var out = ""
    for (i, ch) in raw.unicodeScalars.enumerated() {
        let ok = ch.properties.isAlphabetic || ch == "_" || (i > 0 && (ch == "." || ch == "-" || ("0"..."9").contains(ch)))
        out.unicodeScalars.append(ok ? ch : "_")
    }
    return out + featureIDTail(id)
}

/// The key part of a gml:id (after `Name.`), with what an NCName does not allow there replaced by `_`.
func featureIDTail(_ id: String) -> String {
    var out = ""
    for ch in id.unicodeScalars {
        let ok = ch.properties.isAlphabetic || ch == "_" || ch == "." || ch == "-" || ("0"..."9").contains(ch)
        out.unicodeScalars.append(ok ? ch : "_")
    }
    return out
}

func xmlValue(_ v: Value) -> String {
    switch v {
    case .double(let d): return d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)) : "NaN"
    default: return xmlEscape(v.description)
    }
}
