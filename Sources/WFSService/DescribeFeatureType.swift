import Config
import Filters
import Geo
import Hummingbird
import OGCCore
import ServiceKit
import VectorData

extension WFSService {
    /// A GML application schema for the types: one schema per namespace (configuration); types of several
    /// namespaces give a schema that imports each namespace's own DescribeFeatureType.
    func describeFeatureType(_ types: [FeatureType], _ version: WFSVersion, _ outputFormat: String?,
                             _ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        if let f = outputFormat {
            let k = f.lowercased().filter { $0 != " " }
            let ok = ["application/gml+xml;version=3.2", "text/xml;subtype=gml/3.2", "text/xml;subtype=gml/3.1.1", "xmlschema",
                      "text/xml", "application/xml", "gml32", "gml3", "application/gml+xml;version=3.2.1"]
            guard ok.contains(k) else { throw OGCError.invalid("outputFormat", "Unsupported outputFormat \(f.prefix(80)) for DescribeFeatureType") }
        }
        let contentType = version == .v200 ? "application/gml+xml; version=3.2" : "text/xml; subtype=gml/3.1.1"
        let byNamespace = Dictionary(grouping: types, by: \.prefix)
        if byNamespace.count > 1 {
            var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" elementFormDefault=\"qualified\">\n"
            for prefix in byNamespace.keys.sorted() {
                let ts = byNamespace[prefix]!
                out += "  <xsd:import namespace=\"\(xmlEscape(ts[0].namespaceURI))\" schemaLocation=\"\(xmlEscape(describeURL(request, ts.map(\.qualifiedName), version)))\"/>\n"
            }
            out += "</xsd:schema>\n"
            return Response.text(out, contentType: contentType)
        }
        guard let first = types.first else { throw OGCError.invalid(version.typeNamesParameter, "No feature type to describe") }
        var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:gml="\(version.gmlNamespace)" \
        xmlns:\(first.prefix)="\(xmlEscape(first.namespaceURI))" targetNamespace="\(xmlEscape(first.namespaceURI))" \
        elementFormDefault="qualified" version="1.0">
          <xsd:import namespace="\(version.gmlNamespace)" schemaLocation="\(version.gmlSchemaLocation)"/>

        """
        for t in types {
            let src = try await source(for: t)
            let schema = try await schemas.schema(for: t, source: src, generation: context.snapshot.generation)
            out += complexType(t, schema.table, version)
        }
        out += "</xsd:schema>\n"
        return Response.text(out, contentType: contentType)
    }

    func complexType(_ t: FeatureType, _ table: TableSchema, _ version: WFSVersion) -> String {
        let typeName = "\(t.localName)Type"
        var s = """
          <xsd:complexType name="\(xmlEscape(typeName))">
            <xsd:complexContent>
              <xsd:extension base="gml:AbstractFeatureType">
                <xsd:sequence>

        """
        for f in QueryPlanner.exposedFields(t, table) {
            s += "            <xsd:element name=\"\(xmlEscape(f.name))\" type=\"\(xsdType(f.type))\" minOccurs=\"0\" maxOccurs=\"1\" nillable=\"true\"/>\n"
        }
        s += "            <xsd:element name=\"\(xmlEscape(table.geometryColumn))\" type=\"\(geometryPropertyType(table.geometryType))\" minOccurs=\"0\" maxOccurs=\"1\" nillable=\"true\"/>\n"
        s += """
                </xsd:sequence>
              </xsd:extension>
            </xsd:complexContent>
          </xsd:complexType>
          <xsd:element name="\(xmlEscape(t.localName))" type="\(t.prefix):\(xmlEscape(typeName))" substitutionGroup="\(version == .v200 ? "gml:AbstractFeature" : "gml:_Feature")"/>

        """
        return s
    }

    func xsdType(_ t: FieldType) -> String {
        switch t {
        case .string: "xsd:string"
        case .integer: "xsd:long"
        case .real: "xsd:double"
        case .boolean: "xsd:boolean"
        case .date: "xsd:date"
        case .dateTime: "xsd:dateTime"
        case .binary: "xsd:base64Binary"
        }
    }

    func geometryPropertyType(_ t: GeometryType) -> String {
        switch t {
        case .point: "gml:PointPropertyType"
        case .lineString: "gml:CurvePropertyType"
        case .polygon: "gml:SurfacePropertyType"
        case .multiPoint: "gml:MultiPointPropertyType"
        case .multiLineString: "gml:MultiCurvePropertyType"
        case .multiPolygon: "gml:MultiSurfacePropertyType"
        case .geometryCollection, .unknown: "gml:GeometryPropertyType"
        }
    }
}
