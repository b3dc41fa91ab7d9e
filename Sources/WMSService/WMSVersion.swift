import OGCCore

/// The two WMS versions spoken; 1.0.0 and 1.1.0 requests are answered as 1.1.1.
enum WMSVersion: String, Sendable {
    case v130 = "1.3.0"
    case v111 = "1.1.1"

    /// The version of a request: VERSION (or WMTVER of WMS 1.0), negotiated down to a supported one;
    /// 1.3.0 when absent.
    static func of(_ kvp: KVP) -> WMSVersion {
        guard let v = kvp.nonEmpty("VERSION") ?? kvp.nonEmpty("WMTVER") else { return .v130 }
        let parts = v.split(separator: ".").map { Int($0) ?? 0 }
        let n = (parts.first ?? 0) * 10000 + (parts.count > 1 ? parts[1] : 0) * 100 + (parts.count > 2 ? parts[2] : 0)
        return n >= 10300 ? .v130 : .v111
    }

    var flavour: ExceptionFlavour { self == .v130 ? .wms130 : .wms111 }
    /// The name of the CRS parameter and of its exception code.
    var crsParameter: String { self == .v130 ? "CRS" : "SRS" }
    var invalidCRSCode: OGCError.Code { self == .v130 ? .invalidCRS : .invalidSRS }
    var pointParameters: (String, String) { self == .v130 ? ("I", "J") : ("X", "Y") }
}
