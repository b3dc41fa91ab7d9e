import Filters
import Hummingbird
import OGCCore
import ServiceKit
import VectorData

extension WFSService {
    /// WFS 2.0 GetPropertyValue: the values of one property of the selected features, in a `wfs:ValueCollection`.
    func getPropertyValue(_ req0: GetFeatureRequest, _ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        guard let ref = req0.valueReference, !ref.isEmpty else { throw OGCError.missing("valueReference") }
        guard req0.outputFormat == .gml32 else {
            throw OGCError.invalid("outputFormat", "GetPropertyValue answers in \(WFSVersion.v200.gmlFormat)")
        }
        // `@gml:id` is every feature's identifier, not a column: no property is read for it.
        let identifiers = ref == "@gml:id"
        var req = req0
        for i in req.queries.indices { req.queries[i].propertyNames = identifiers ? [] : [ref] }
        let (pages, matched, _) = try await prepare(req, context)
        for p in pages where p.plan.fields.isEmpty && !p.plan.includeGeometry && !identifiers {
            throw OGCError.invalid("valueReference", "\(p.plan.type.qualifiedName) has no property \(ref.prefix(100))")
        }
        let returned = req.resultType == .hits ? 0 : pages.reduce(0) { $0 + $1.limit }
        var out: [UInt8] = []
        out.put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<wfs:ValueCollection xmlns:wfs=\"\(WFSVersion.v200.wfsNamespace)\"")
        out.put(" xmlns:gml=\"\(WFSVersion.v200.gmlNamespace)\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
        out.put(" xsi:schemaLocation=\"\(WFSVersion.v200.wfsNamespace) \(WFSVersion.v200.wfsSchemaLocation)\"")
        out.put(" timeStamp=\"\(CollectionInfo(version: .v200, numberMatched: 0, numberReturned: 0).timeStamp)\"")
        out.put(" numberMatched=\"\(matched)\" numberReturned=\"\(returned)\">\n")
        if req.resultType == .results {
            let gml = GMLEncoder(version: .v200)
            for p in pages where p.limit > 0 {
                var q = p.plan.query
                q.offset = p.offset; q.limit = p.limit
                let cursor = try await dataCall { try await p.source.open(q) }
                while let batch = try await dataCall({ try await cursor.next() }) {
                    for f in batch {
                        if identifiers {
                            out.put("<wfs:member>\(featureID(p.plan.type, f.id))</wfs:member>\n")
                        } else if let v = f.values.first {
                            if case .null = v { continue }
                            out.put("<wfs:member>\(xmlValue(v))</wfs:member>\n")
                        } else if let g = try f.decodedGeometry() {
                            out.put("<wfs:member>")
                            gml.writer(p.plan).write(g, id: featureID(p.plan.type, f.id) + ".geom", promoteToMulti: p.plan.promoteToMulti, to: &out)
                            out.put("</wfs:member>\n")
                        }
                    }
                }
            }
        }
        out.put("</wfs:ValueCollection>\n")
        return Response.bytes(out, contentType: WFSVersion.v200.gmlFormat)
    }
}
