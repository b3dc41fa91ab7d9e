/// The exception document flavours of the OGC protocols Passerelle speaks.
public enum ExceptionFlavour: Sendable, Equatable {
    /// OWS Common 1.1 (WFS 2.0.0, WMTS 1.0.0): `ows:ExceptionReport`, `application/xml`.
    case ows110(serviceVersion: String)
    /// OWS Common 1.0 (WFS 1.1.0).
    case ows100(serviceVersion: String)
    /// WMS 1.3.0 `ServiceExceptionReport` (`text/xml`).
    case wms130
    /// WMS 1.1.1 `ServiceExceptionReport` (`application/vnd.ogc.se_xml`).
    case wms111

    public var contentType: String {
        switch self {
        case .ows110, .ows100: return "application/xml"
        case .wms130: return "text/xml"
        case .wms111: return "application/vnd.ogc.se_xml"
        }
    }
}

extension OGCError {
    /// Renders this error as the exception document of `flavour`.
    public func report(_ flavour: ExceptionFlavour) -> String {
        let text = xmlEscape(message)
        switch flavour {
        case .ows110(let v), .ows100(let v):
            let ns = flavour == .ows110(serviceVersion: v) ? "http://www.opengis.net/ows/1.1" : "http://www.opengis.net/ows"
            let schema = flavour == .ows110(serviceVersion: v)
                ? "http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd"
                : "http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd"
            let loc = locator.map { " locator=\"\(xmlEscape($0))\"" } ?? ""
            return """
            <?xml version="1.0" encoding="UTF-8"?>
            <ows:ExceptionReport xmlns:ows="\(ns)" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="\(ns) \(schema)" version="\(xmlEscape(v))" xml:lang="en">
              <ows:Exception exceptionCode="\(xmlEscape(code.rawValue))"\(loc)>
                <ows:ExceptionText>\(text)</ows:ExceptionText>
              </ows:Exception>
            </ows:ExceptionReport>

            """
        case .wms130:
            let loc = locator.map { " locator=\"\(xmlEscape($0))\"" } ?? ""
            return """
            <?xml version="1.0" encoding="UTF-8"?>
            <ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="http://www.opengis.net/ogc http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd">
              <ServiceException code="\(xmlEscape(code.rawValue))"\(loc)>\(text)</ServiceException>
            </ServiceExceptionReport>

            """
        case .wms111:
            let loc = locator.map { " locator=\"\(xmlEscape($0))\"" } ?? ""
            return """
            <?xml version="1.0" encoding="UTF-8"?>
            <ServiceExceptionReport version="1.1.1">
              <ServiceException code="\(xmlEscape(code.rawValue))"\(loc)>\(text)</ServiceException>
            </ServiceExceptionReport>

            """
        }
    }
}
