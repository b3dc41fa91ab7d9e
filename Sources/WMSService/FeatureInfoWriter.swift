import Filters
import Geo
import OGCCore

enum FeatureInfoFormat: String {
    case plain = "text/plain"
    case html = "text/html"
    case json = "application/json"
    case gml = "application/vnd.ogc.gml"

    var contentType: String {
        switch self {
        case .plain: "text/plain; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        case .json: "application/json"
        case .gml: "application/vnd.ogc.gml"
        }
    }
}

/// Writes GetFeatureInfo answers.
enum FeatureInfoWriter {
    static func write(_ hits: [FeatureInfoHit], format: FeatureInfoFormat, crs: CRSName) -> String {
        switch format {
        case .plain: return plain(hits)
        case .html: return html(hits)
        case .json: return json(hits, crs: crs)
        case .gml: return gml(hits)
        }
    }

    static func plain(_ hits: [FeatureInfoHit]) -> String {
        if hits.isEmpty { return "no features were found\n" }
        var s = ""
        for h in hits {
            s += "Results for FeatureType '\(h.table)' (layer \(h.layer)):\n--------------------------------------------\n"
            s += "id = \(h.feature.id)\n"
            for f in h.fields { s += "\(f) = \(h.feature.properties[f]?.description ?? "")\n" }
            s += "--------------------------------------------\n"
        }
        return s
    }

    static func html(_ hits: [FeatureInfoHit]) -> String {
        var s = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>GetFeatureInfo</title></head><body>\n"
        var i = 0
        while i < hits.count {
            let table = hits[i].table
            let group = hits[i...].prefix { $0.table == table }
            s += "<table border=\"1\"><caption>\(xmlEscape(table))</caption>\n<tr><th>id</th>"
            for f in group.first!.fields { s += "<th>\(xmlEscape(f))</th>" }
            s += "</tr>\n"
            for h in group {
                s += "<tr><td>\(xmlEscape(h.feature.id))</td>"
                for f in h.fields { s += "<td>\(xmlEscape(h.feature.properties[f]?.description ?? ""))</td>" }
                s += "</tr>\n"
            }
            s += "</table>\n"
            i += group.count
        }
        return s + "</body></html>\n"
    }

    static func json(_ hits: [FeatureInfoHit], crs: CRSName) -> String {
        // GeoJSON geometries are longitude/latitude WGS84.
        let toWGS84 = crs.isCRS84 || crs.epsgCode == 4326 ? nil : try? CoordinateTransformer.make(from: crs.projName, to: "EPSG:4326")
        let writer = GeoJSONWriter(decimals: 7)
        var parts: [String] = []
        for h in hits {
            var g = h.feature.geometry
            if let t = toWGS84, let p = try? t.transform(g) { g = p }
            var props: [String] = []
            for f in h.fields { props.append("\"\(jsonEscape(f))\":\(jsonValue(h.feature.properties[f] ?? .null))") }
            parts.append("{\"type\":\"Feature\",\"id\":\"\(jsonEscape(h.table)).\(jsonEscape(h.feature.id))\",\"geometry\":\(writer.string(g)),\"properties\":{\(props.joined(separator: ","))}}")
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[\(parts.joined(separator: ","))]}\n"
    }

    static func jsonValue(_ v: Value) -> String {
        switch v {
        case .null: "null"
        case .string(let s): "\"\(jsonEscape(s))\""
        case .int(let i): String(i)
        case .double(let d): d.isFinite ? String(d) : "null"
        case .bool(let b): b ? "true" : "false"
        }
    }

    static func gml(_ hits: [FeatureInfoHit]) -> String {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<msGMLOutput xmlns:gml=\"http://www.opengis.net/gml\">\n"
        var i = 0
        while i < hits.count {
            let table = hits[i].table
            let group = hits[i...].prefix { $0.table == table }
            s += "  <\(table)_layer>\n"
            for h in group {
                s += "    <\(table)_feature fid=\"\(xmlEscape(h.feature.id))\">\n"
                if let b = h.feature.geometry.bbox {
                    s += "      <gml:boundedBy><gml:Box><gml:coordinates>\(b.minX),\(b.minY) \(b.maxX),\(b.maxY)</gml:coordinates></gml:Box></gml:boundedBy>\n"
                }
                for f in h.fields { s += "      <\(f)>\(xmlEscape(h.feature.properties[f]?.description ?? ""))</\(f)>\n" }
                s += "    </\(table)_feature>\n"
            }
            s += "  </\(table)_layer>\n"
            i += group.count
        }
        return s + "</msGMLOutput>\n"
    }
}
