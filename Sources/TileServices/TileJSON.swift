import Foundation
import OGCCore
import ServiceKit
import TileStore

/// TileJSON 3.0.0 of a tile layer (what MapLibre and QGIS vector-tile connections read).
enum TileJSON {
    static func document(_ l: TileLayer, _ request: OGCRequest) -> [String: Any] {
        let zooms = l.levels.compactMap { Int($0.matrix.id) }
        let b = l.wgs84BBox
        let minZoom = zooms.min() ?? 0, maxZoom = zooms.max() ?? 0
        var d: [String: Any] = [
            "tilejson": "3.0.0",
            "name": l.name,
            "description": l.abstract,
            "version": "1.0.0",
            "scheme": "xyz",
            "tiles": [request.url("/\(KVP.percentEncode(l.name))/{z}/{x}/{y}.\(l.format.fileExtension)")],
            "minzoom": minZoom,
            "maxzoom": maxZoom,
            "bounds": [b.minX, b.minY, b.maxX, b.maxY],
            "center": [(b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2, (minZoom + maxZoom) / 2],
            "format": l.format.fileExtension,
        ]
        if let a = l.published.configuration.attribution { d["attribution"] = "<a href=\"\(a.url)\">\(xmlEscape(a.title))</a>" }
        if l.isVector { d["vector_layers"] = vectorLayers(l) }
        return d
    }

    /// One entry per MVT layer (`tables` of the pyramid levels): the zooms it appears at and its fields.
    static func vectorLayers(_ l: TileLayer) -> [[String: Any]] {
        var order: [String] = []
        var info: [String: (geometry: String, minzoom: Int, maxzoom: Int, fields: [(String, String)])] = [:]
        for lv in l.levels {
            let z = Int(lv.matrix.id) ?? 0
            for t in lv.level.tables {
                if var e = info[t.name] {
                    e.minzoom = min(e.minzoom, z); e.maxzoom = max(e.maxzoom, z)
                    for a in t.attributes where !e.fields.contains(where: { $0.0 == a.name }) { e.fields.append((a.name, a.type)) }
                    info[t.name] = e
                } else {
                    order.append(t.name)
                    info[t.name] = (t.geometry, z, z, t.attributes.map { ($0.name, $0.type) })
                }
            }
        }
        return order.map { name in
            let e = info[name]!
            return ["id": name, "geometry": e.geometry, "minzoom": e.minzoom, "maxzoom": e.maxzoom,
                    "fieldsCount": e.fields.count,
                    "fields": Dictionary(e.fields, uniquingKeysWith: { a, _ in a })]
        }
    }
}
