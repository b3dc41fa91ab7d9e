import Filters
import Geo
import OGCCore
import VectorData

/// GML 3.2 inside a WFS 2.0 `wfs:FeatureCollection`, or GML 3.1.1 inside a WFS 1.1.0 one.
struct GMLEncoder: FeatureEncoder {
    var version: WFSVersion
    var gml32: Bool { version == .v200 }

    func begin(_ info: CollectionInfo, to out: inout [UInt8]) {
        out.put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<wfs:FeatureCollection xmlns:wfs=\"\(version.wfsNamespace)\"")
        out.put(" xmlns:gml=\"\(version.gmlNamespace)\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
        for (p, ns) in info.namespaces { out.put(" xmlns:\(p)=\"\(xmlEscape(ns))\"") }
        let locs = ["\(version.wfsNamespace) \(version.wfsSchemaLocation)", "\(version.gmlNamespace) \(version.gmlSchemaLocation)"]
            + info.schemaLocations
        out.put(" xsi:schemaLocation=\"\(xmlEscape(locs.joined(separator: " ")))\" timeStamp=\"\(info.timeStamp)\"")
        if gml32 {
            out.put(" numberMatched=\"\(info.numberMatched)\" numberReturned=\"\(info.numberReturned)\"")
            if let n = info.next { out.put(" next=\"\(xmlEscape(n))\"") }
            if let p = info.previous { out.put(" previous=\"\(xmlEscape(p))\"") }
        } else {
            // WFS 1.1.0 has one count: of the features in the answer, or of all that match for hits.
            out.put(" numberOfFeatures=\"\(info.hits ? info.numberMatched : info.numberReturned)\"")
        }
        out.put(">\n")
    }

    func feature(_ f: Feature, _ plan: PlannedQuery, first: Bool, to out: inout [UInt8]) throws {
        out.put(gml32 ? "<wfs:member>\n" : "<gml:featureMember>\n")
        try bare(f, plan, to: &out)
        out.put(gml32 ? "</wfs:member>\n" : "</gml:featureMember>\n")
    }

    /// The feature element alone (GetFeatureById).
    func bare(_ f: Feature, _ plan: PlannedQuery, namespaceDeclaration: Bool = false, to out: inout [UInt8]) throws {
        let p = plan.type.prefix, name = plan.type.localName
        let fid = featureID(plan.type, f.id)
        out.put("<\(p):\(name) gml:id=\"\(fid)\"")
        if namespaceDeclaration {
            out.put(" xmlns:\(p)=\"\(xmlEscape(plan.type.namespaceURI))\" xmlns:gml=\"\(version.gmlNamespace)\"")
        }
        out.put(">")
        for (field, v) in zip(plan.fields, f.values) {
            if case .null = v { continue }
            out.put("<\(p):\(field.name)>\(xmlValue(v))</\(p):\(field.name)>")
        }
        if plan.includeGeometry, let g = try f.decodedGeometry() {
            let col = plan.schema.table.geometryColumn
            out.put("<\(p):\(col)>")
            writer(plan).write(g, id: fid + ".geom", promoteToMulti: plan.promoteToMulti, to: &out)
            out.put("</\(p):\(col)>")
        }
        out.put("</\(p):\(name)>\n")
    }

    func writer(_ plan: PlannedQuery) -> GMLGeometryWriter {
        GMLGeometryWriter(gml32: gml32, srsName: GMLEncoder.srsName(plan.outputCRS), swap: plan.swapOutput,
                          decimals: GMLEncoder.decimals(plan.outputSRID))
    }

    /// The srsName written: the urn form when the axes are in official order, else the GML `epsg.xml#` form
    /// (which readers take as x/y).
    static func srsName(_ crs: CRSName) -> String {
        if crs.isCRS84 { return crs.urn }
        return crs.swapsAxesInWFS || crs.spelling == .urn || crs.spelling == .uri ? crs.urn
            : "http://www.opengis.net/gml/srs/epsg.xml#\(crs.code)"
    }

    static func decimals(_ srid: Int) -> Int { CRSInfo.lookup(epsg: srid)?.units == .degrees ? 8 : 3 }

    func end(_ info: CollectionInfo, returned: Int, to out: inout [UInt8]) {
        out.put("</wfs:FeatureCollection>\n")
    }
}
