import OGCCore

/// The WFS versions served, with what differs between them.
public enum WFSVersion: String, Sendable, CaseIterable {
    case v200 = "2.0.0"
    case v110 = "1.1.0"

    public var wfsNamespace: String { self == .v200 ? "http://www.opengis.net/wfs/2.0" : "http://www.opengis.net/wfs" }
    public var gmlNamespace: String { self == .v200 ? "http://www.opengis.net/gml/3.2" : "http://www.opengis.net/gml" }
    public var owsNamespace: String { self == .v200 ? "http://www.opengis.net/ows/1.1" : "http://www.opengis.net/ows" }
    public var gmlSchemaLocation: String {
        self == .v200 ? "http://schemas.opengis.net/gml/3.2.1/gml.xsd" : "http://schemas.opengis.net/gml/3.1.1/base/gml.xsd"
    }
    public var wfsSchemaLocation: String {
        self == .v200 ? "http://schemas.opengis.net/wfs/2.0/wfs.xsd" : "http://schemas.opengis.net/wfs/1.1.0/wfs.xsd"
    }
    /// The GML output format name of this version (its default).
    public var gmlFormat: String { self == .v200 ? "application/gml+xml; version=3.2" : "text/xml; subtype=gml/3.1.1" }
    /// The typeNames parameter name.
    public var typeNamesParameter: String { self == .v200 ? "typeNames" : "typeName" }
    public var exceptionFlavour: ExceptionFlavour {
        self == .v200 ? .ows110(serviceVersion: rawValue) : .ows100(serviceVersion: rawValue)
    }

    /// Parses a VERSION value ("2.0.0", "2.0", "1.1.0", "1.1"); nil when not served.
    public static func parse(_ s: String) -> WFSVersion? {
        switch s.trimmingSpaces {
        case "2.0.0", "2.0", "2": .v200
        case "1.1.0", "1.1": .v110
        default: nil
        }
    }

    /// GetCapabilities negotiation: the first of ACCEPTVERSIONS served, else VersionNegotiationFailed; else
    /// VERSION when served; else the highest.
    public static func negotiate(acceptVersions: [String]?, version: String?) throws(OGCError) -> WFSVersion {
        if let accept = acceptVersions, !accept.isEmpty {
            for a in accept { if let v = parse(a) { return v } }
            throw OGCError(.versionNegotiationFailed, locator: "AcceptVersions",
                           "None of the versions \(accept.joined(separator: ", ")) is served; this service speaks 2.0.0 and 1.1.0")
        }
        if let version, let v = parse(version) { return v }
        return .v200
    }
}
