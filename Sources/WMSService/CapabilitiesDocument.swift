import Config
import Geo
import OGCCore

/// Builds the Mustache context of the WMS capabilities templates (`wms-1.3.0`, `wms-1.1.1`). Layers are a
/// plain array of dictionaries, so another WMS (raster) can fill the same templates.
enum CapabilitiesDocument {
    static func document(version: WMSVersion, endpoint: Endpoint, onlineResource: String, limits: WMSLimits,
                         updateSequence: Int, layers: [[String: Any]], rootCRS: [String], rootGeo: BBox?,
                         mapFormats: [String], featureInfoFormats: [String]) -> [String: Any] {
        let s = endpoint.service
        var service: [String: Any] = [
            "title": s?.title ?? endpoint.name,
            "url": onlineResource,
            "fees": s?.fees ?? "none",
            "accessConstraints": s?.accessConstraints ?? "none",
        ]
        if let a = s?.abstract { service["abstract"] = ["text": a] }
        if let k = s?.keywords, !k.isEmpty { service["keywordList"] = ["keywords": k.map { ["keyword": $0] }] }
        if let c = s?.contact { service["contact"] = contact(c) }
        var root: [String: Any] = [
            "title": s?.title ?? endpoint.name,
            "crs": rootCRS.map { ["name": $0] },
        ]
        if let a = s?.abstract { root["abstract"] = ["text": a] }
        if let g = rootGeo { root["geo"] = geo(g) }
        return [
            "updateSequence": String(updateSequence),
            "service": service,
            "onlineResource": onlineResource,
            "maxWidth": String(limits.maxWidth),
            "maxHeight": String(limits.maxHeight),
            "mapFormats": mapFormats.map { ["format": $0] },
            "hasFeatureInfo": !featureInfoFormats.isEmpty,
            "featureInfoFormats": featureInfoFormats.map { ["format": $0] },
            "hasLegendGraphic": true,
            "root": root,
            "layers": layers,
        ]
    }

    static func contact(_ c: Contact) -> [String: Any] {
        var d: [String: Any] = [:]
        if c.person != nil || c.organization != nil {
            d["primary"] = ["person": c.person ?? "", "organization": c.organization ?? ""]
        }
        if let p = c.position { d["position"] = ["text": p] }
        if c.address != nil || c.city != nil || c.postalCode != nil || c.country != nil {
            d["address"] = ["street": c.address ?? "", "city": c.city ?? "", "postCode": c.postalCode ?? "", "country": c.country ?? ""]
        }
        if let p = c.phone { d["phone"] = ["text": p] }
        if let e = c.email { d["email"] = ["text": e] }
        return d
    }

    static func geo(_ b: BBox) -> [String: Any] {
        ["west": num(b.minX), "east": num(b.maxX), "south": num(b.minY), "north": num(b.maxY)]
    }

    static func num(_ v: Double) -> String {
        let r = (v * 1e8).rounded() / 1e8
        if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
        return String(r)
    }

    /// One layer. `legendURL` is the GetLegendGraphic request of each style.
    static func layer(_ d: LayerDescription, version: WMSVersion, onlineResource: String) -> [String: Any] {
        var l: [String: Any] = [
            "name": d.name, "title": d.title, "queryable": d.queryable ? "1" : "0", "opaque": d.opaque ? "1" : "0",
            "crs": d.crs.map { ["name": $0] },
            "geo": geo(d.geo),
            "bboxes": d.crs.compactMap { bbox(d.geo, crs: $0, version: version) },
            "metadata": d.metadata.map { m -> [String: Any] in
                ["type": m.type, "type111": m.type == "FGDC" ? "FGDC" : "TC211", "format": m.format, "url": m.url]
            },
            "styles": d.styles.map { s -> [String: Any] in
                let url = onlineResource + "SERVICE=WMS&VERSION=\(version.rawValue)&REQUEST=GetLegendGraphic&FORMAT=image%2Fpng&LAYER=\(KVP.percentEncode(d.name))"
                    + (s.name == "default" ? "" : "&STYLE=\(KVP.percentEncode(s.name))")
                guard d.hasLegend else { return ["name": s.name, "title": s.title] }
                return ["name": s.name, "title": s.title, "legend": ["width": "20", "height": "20", "format": "image/png", "url": url]]
            },
        ]
        if let a = d.abstract { l["abstract"] = ["text": a] }
        if !d.keywords.isEmpty { l["keywordList"] = ["keywords": d.keywords.map { ["keyword": $0] }] }
        if let a = d.attribution {
            var attr: [String: Any] = ["title": a.title, "url": a.url]
            if let logo = a.logo {
                attr["logo"] = ["format": logo.format, "url": logo.url, "width": String(logo.width), "height": String(logo.height)]
            }
            l["attribution"] = attr
        }
        if let m = d.minScale { l["minScale"] = ["value": num(m)] }
        if let m = d.maxScale { l["maxScale"] = ["value": num(m)] }
        if d.minScale != nil || d.maxScale != nil {
            // WMS 1.1.1 ScaleHint: the diagonal size of a pixel in metres.
            let k = 0.00028 * 2.0.squareRoot()
            l["scaleHint"] = ["min": num((d.minScale ?? 0) * k), "max": num((d.maxScale ?? 1e12) * k)]
        }
        return l
    }

    /// The layer's box in one CRS, in the axis order of the version (1.3.0: the CRS's own order).
    static func bbox(_ geo: BBox, crs: String, version: WMSVersion) -> [String: Any]? {
        guard let name = CRSName.parse(crs), let info = CRSInfo.lookup(name) else { return nil }
        var b = geo
        if !(name.isCRS84 || name.epsgCode == 4326) {
            var g = geo
            if name.epsgCode == 3857 { g.minY = max(g.minY, -85.06); g.maxY = min(g.maxY, 85.06) }
            guard let t = try? CoordinateTransformer.make(from: "EPSG:4326", to: name.projName), let p = try? t.transform(g) else { return nil }
            b = p
        }
        let swap = version == .v130 && info.isNorthFirst && !name.isCRS84
        return swap
            ? ["crs": crs, "minx": num(b.minY), "miny": num(b.minX), "maxx": num(b.maxY), "maxy": num(b.maxX)]
            : ["crs": crs, "minx": num(b.minX), "miny": num(b.minY), "maxx": num(b.maxX), "maxy": num(b.maxY)]
    }
}
