import Filters
import Geo
import OGCCore
import VectorData

/// RFC 7946 GeoJSON (longitude/latitude), with the WFS 2.0 / OGC API counters written after the features so
/// `numberReturned` is the true count of what was streamed.
struct GeoJSONEncoder: FeatureEncoder {
    func begin(_ info: CollectionInfo, to out: inout [UInt8]) {
        out.put("{\"type\":\"FeatureCollection\",\"features\":[")
    }

    func feature(_ f: Feature, _ plan: PlannedQuery, first: Bool, to out: inout [UInt8]) throws {
        if !first { out.append(UInt8(ascii: ",")) }
        out.put("\n{\"type\":\"Feature\",\"id\":\"")
        appendJSONEscaped(plan.type.localName, to: &out)
        out.append(UInt8(ascii: "."))
        appendJSONEscaped(f.id, to: &out)
        out.put("\",\"geometry\":")
        if plan.includeGeometry, let g = f.geometry, !g.isEmpty {
            if g.first == UInt8(ascii: "{") {
                out.append(contentsOf: g)
            } else {
                let geom = try WKB.decode(g)
                GeoJSONWriter(decimals: GMLEncoder.decimals(plan.outputSRID) - 1).append(geom, to: &out)
            }
        } else {
            out.put("null")
        }
        out.put(",\"properties\":{")
        for i in 0..<min(plan.fields.count, f.values.count) {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(plan.fields[i].name, to: &out)
            out.append(UInt8(ascii: ":"))
            GeoJSONEncoder.value(f.values[i], &out)
        }
        out.put("}}")
    }

    static func value(_ v: Value, _ out: inout [UInt8]) {
        switch v {
        case .null: out.put("null")
        case .string(let s): appendJSONString(s, to: &out)
        case .int(let i): out.put(String(i))
        case .double(let d): out.put(d.isFinite ? String(d) : "null")
        case .bool(let b): out.put(b ? "true" : "false")
        }
    }

    func end(_ info: CollectionInfo, returned: Int, to out: inout [UInt8]) {
        out.put("\n]")
        if info.numberMatched >= 0 { out.put(",\"numberMatched\":\(info.numberMatched)") }   // < 0: not known
        out.put(",\"numberReturned\":\(returned),\"timeStamp\":\"\(info.timeStamp)\"")
        var links: [String] = []
        if let n = info.next {
            links.append("{\"href\":\"\(jsonEscape(n))\",\"rel\":\"next\",\"type\":\"application/json\",\"title\":\"next page\"}")
        }
        if let p = info.previous {
            links.append("{\"href\":\"\(jsonEscape(p))\",\"rel\":\"previous\",\"type\":\"application/json\",\"title\":\"previous page\"}")
        }
        out.put(",\"links\":[\(links.joined(separator: ","))]")
        if let crs = crsName { out.put(",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"\(jsonEscape(crs))\"}}") }
        out.put("}\n")
    }

    /// Set when the output is not WGS84 longitude/latitude (a srsName other than EPSG:4326 was asked for).
    var crsName: String?
}
