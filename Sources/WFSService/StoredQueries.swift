import Hummingbird
import OGCCore
import ServiceKit

extension WFSService {
    /// The only stored query: the mandatory GetFeatureById.
    func listStoredQueries(_ version: WFSVersion, _ catalog: FeatureTypeCatalog) -> Response {
        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <wfs:ListStoredQueriesResponse xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\(nsDecls(catalog)) \
        xsi:schemaLocation="http://www.opengis.net/wfs/2.0 http://schemas.opengis.net/wfs/2.0/wfs.xsd">
          <wfs:StoredQuery id="\(GetFeatureRequest.getFeatureByIdQuery)">
            <wfs:Title>Get feature by identifier</wfs:Title>

        """
        for t in catalog.types { s += "    <wfs:ReturnFeatureType>\(xmlEscape(t.qualifiedName))</wfs:ReturnFeatureType>\n" }
        s += "  </wfs:StoredQuery>\n</wfs:ListStoredQueriesResponse>\n"
        return Response.text(s, contentType: "application/xml")
    }

    func describeStoredQueries(_ version: WFSVersion, _ catalog: FeatureTypeCatalog, ids: [String]?) throws(OGCError) -> Response {
        for id in ids ?? [] where id != GetFeatureRequest.getFeatureByIdQuery {
            throw OGCError.invalid("STOREDQUERY_ID", "Unknown stored query \(id.prefix(100))")
        }
        let types = catalog.types.map(\.qualifiedName).joined(separator: " ")
        let s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <wfs:DescribeStoredQueriesResponse xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" \
        xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\(nsDecls(catalog)) \
        xsi:schemaLocation="http://www.opengis.net/wfs/2.0 http://schemas.opengis.net/wfs/2.0/wfs.xsd">
          <wfs:StoredQueryDescription id="\(GetFeatureRequest.getFeatureByIdQuery)">
            <wfs:Title>Get feature by identifier</wfs:Title>
            <wfs:Abstract>Returns the single feature whose identifier is ID (for example communes.12).</wfs:Abstract>
            <wfs:Parameter name="ID" type="xsd:string"/>
            <wfs:QueryExpressionText isPrivate="true" language="urn:ogc:def:queryLanguage:OGC-WFS::WFS_QueryExpression" returnFeatureTypes="\(xmlEscape(types))"/>
          </wfs:StoredQueryDescription>
        </wfs:DescribeStoredQueriesResponse>

        """
        return Response.text(s, contentType: "application/xml")
    }

    private func nsDecls(_ catalog: FeatureTypeCatalog) -> String {
        var seen: [String: String] = [:]
        for t in catalog.types { seen[t.prefix] = t.namespaceURI }
        return seen.sorted { $0.key < $1.key }.map { " xmlns:\($0.key)=\"\(xmlEscape($0.value))\"" }.joined()
    }
}
