/// A CRS as named in a request: the authority and code, and how it was spelled.
///
/// The spelling matters for axis order: in WFS 1.1/2.0 and WMS 1.3.0, `urn:ogc:def:crs:EPSG::4326` and the
/// `http://www.opengis.net/def/crs/EPSG/0/4326` URI mean latitude first; the legacy `EPSG:4326` spelling means
/// longitude first in WFS (GeoServer's and MapServer's behaviour, which clients rely on) but the official
/// axis order in WMS 1.3.0.
public struct CRSName: Sendable, Hashable, CustomStringConvertible {
    public enum Spelling: Sendable, Hashable {
        case epsgColon      // EPSG:4326
        case urn            // urn:ogc:def:crs:EPSG::4326 (or urn:x-ogc:def:crs:EPSG:4326)
        case uri            // http://www.opengis.net/def/crs/EPSG/0/4326
        case gmlXML         // http://www.opengis.net/gml/srs/epsg.xml#4326
        case ogcCRS84       // CRS:84, OGC:CRS84, urn:ogc:def:crs:OGC:1.3:CRS84
    }

    public var authority: String
    public var code: String
    public var spelling: Spelling

    public init(authority: String, code: String, spelling: Spelling) {
        self.authority = authority; self.code = code; self.spelling = spelling
    }

    public static func epsg(_ code: Int) -> CRSName { CRSName(authority: "EPSG", code: String(code), spelling: .epsgColon) }

    public var epsgCode: Int? { authority == "EPSG" ? Int(code) : nil }
    /// CRS:84 (WGS84 longitude/latitude).
    public var isCRS84: Bool { spelling == .ogcCRS84 }
    /// `AUTH:CODE` form understood by PROJ (CRS:84 is OGC:CRS84).
    public var projName: String { isCRS84 ? "OGC:CRS84" : "\(authority):\(code)" }
    public var description: String { isCRS84 ? "CRS:84" : "\(authority):\(code)" }
    public var urn: String { isCRS84 ? "urn:ogc:def:crs:OGC:1.3:CRS84" : "urn:ogc:def:crs:\(authority)::\(code)" }
    public var uri: String { isCRS84 ? "http://www.opengis.net/def/crs/OGC/1.3/CRS84" : "http://www.opengis.net/def/crs/\(authority)/0/\(code)" }

    /// Parses the CRS spellings clients send. Nil when the string is not one of them.
    public static func parse(_ raw: String) -> CRSName? {
        let s = raw.trimmingSpaces
        let lower = s.lowercased()
        if ["crs:84", "ogc:crs84", "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84",
            "http://www.opengis.net/def/crs/ogc/1.3/crs84", "crs84"].contains(lower) {
            return CRSName(authority: "OGC", code: "CRS84", spelling: .ogcCRS84)
        }
        func valid(_ auth: Substring, _ code: Substring) -> CRSName? {
            let a = auth.uppercased()
            guard !a.isEmpty, a.count <= 16, a.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                  !code.isEmpty, code.count <= 32,
                  code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else { return nil }
            return CRSName(authority: a, code: String(code), spelling: .epsgColon)
        }
        if lower.hasPrefix("urn:ogc:def:crs:") || lower.hasPrefix("urn:x-ogc:def:crs:") {
            // urn:ogc:def:crs:EPSG:[version]:code
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 6 || parts.count == 6 || parts.count == 5 else { return nil }
            let auth = parts[4]
            guard let code = parts.last, var r = valid(auth, code) else { return nil }
            r.spelling = .urn
            return r
        }
        if lower.hasPrefix("http://www.opengis.net/def/crs/") || lower.hasPrefix("https://www.opengis.net/def/crs/") {
            let parts = s.split(separator: "/")
            guard parts.count >= 3 else { return nil }
            let code = parts[parts.count - 1], auth = parts[parts.count - 3]
            guard var r = valid(auth, code) else { return nil }
            r.spelling = .uri
            return r
        }
        if lower.hasPrefix("http://www.opengis.net/gml/srs/epsg.xml#") {
            let code = s.split(separator: "#").last ?? ""
            guard var r = valid("EPSG", code) else { return nil }
            r.spelling = .gmlXML
            return r
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, var r = valid(parts[0], parts[1]) {
            r.spelling = .epsgColon
            return r
        }
        return nil
    }

    public static func == (a: CRSName, b: CRSName) -> Bool { a.authority == b.authority && a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(authority); h.combine(code) }
}
