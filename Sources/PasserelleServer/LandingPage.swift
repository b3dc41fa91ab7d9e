import Config
import Foundation
import Hummingbird
import OGCCore

/// `/`: what this server publishes, for a person in a browser. Each endpoint with its URL, and on it each
/// offering the visitor may see (the open ones, and with a valid key — `?apikey=` or header — those it grants,
/// exactly as the services decide): title, abstract, layer names, the capabilities URL to paste into QGIS, and a
/// "Visualiser" link (a WMS map of the layer, GeoJSON of the first features, the TMS tile map). Then the state of
/// the configuration for an operator. Plain HTML, no script; readable on a phone.
struct LandingPage {
    let access: AccessControl

    func render(_ snap: ConfigSnapshot, baseURL: String, kvp: KVP, headers: HTTPFields) -> String {
        let key = AccessControl.presentedKey(kvp: kvp, headers: headers)
        var html = Self.head
        html += "<header><h1>Passerelle</h1><p>OGC map services: WMS, WFS, WMTS and TMS.</p></header>\n<main>\n"
        var shown = 0
        for endpoint in snap.endpoints.values.sorted(by: { ($0.open ? 0 : 1, $0.urls.first?.path ?? $0.id) < ($1.open ? 0 : 1, $1.urls.first?.path ?? $1.id) }) {
            let published = access.visibleLayers(snapshot: snap, endpoint: endpoint, kvp: kvp, headers: headers)
            let query = key != nil && !endpoint.open ? "&apikey=" + KVP.percentEncode(key!) : ""
            html += section(endpoint, published, baseURL: baseURL, keyQuery: query)
            shown += published.count
        }
        if shown == 0 { html += "<p>No offering is published yet.</p>\n" }
        html += status(snap)
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    private func section(_ e: Endpoint, _ published: [Published], baseURL: String, keyQuery: String) -> String {
        let title = e.service?.title ?? e.name
        var s = "<section>\n<h2>\(h(title)) <small>\(h(e.type.rawValue))\(e.open ? "" : ", private")</small></h2>\n"
        if let a = e.service?.abstract { s += "<p>\(h(a))</p>\n" }
        s += "<p>" + e.urls.map { "\(h($0.type)): <code>\(h(baseURL + $0.path))</code>" }.joined(separator: " · ") + "</p>\n"
        if published.isEmpty {
            s += "<p><em>\(e.open ? "Nothing published here." : "Nothing visible without an API key (add <code>?apikey=…</code>).")</em></p>\n"
            return s + "</section>\n"
        }
        s += "<ul class=\"offerings\">\n"
        for p in published.sorted(by: { $0.configuration.layerName < $1.configuration.layerName }) {
            s += item(p, e, baseURL: baseURL, keyQuery: keyQuery)
        }
        return s + "</ul>\n</section>\n"
    }

    private func item(_ p: Published, _ e: Endpoint, baseURL: String, keyQuery: String) -> String {
        let c = p.configuration
        let ti = c.typeInfos
        let title = ti.title ?? c.name
        var s = "<li><h3>\(h(title))</h3>\n"
        if let a = ti.abstract { s += "<p>\(h(a))</p>\n" }
        let layers: [String] = c.type == .wfs
            ? ti.usedData.flatMap { ($0.relations ?? []).map { c.layerName + ":" + $0.exposedName } }
            : [c.layerName]
        s += "<p>\(c.type == .wfs ? "Feature types" : "Layer"): " + layers.map { "<code>\(h($0))</code>" }.joined(separator: ", ")
        s += p.offering.open ? "" : " <span class=\"tag\">restricted</span>"
        s += "</p>\n<p class=\"links\">"
        func url(_ type: String) -> String? { e.urls.first { $0.type.uppercased() == type }.map { baseURL + $0.path } }
        var links: [(String, String)] = []
        let bbox = ti.bbox ?? Self.extent(p)
        switch c.type {
        case .wfs:
            if let u = url("WFS") {
                links.append(("Capabilities", u + "?SERVICE=WFS&REQUEST=GetCapabilities" + keyQuery))
                for l in layers.prefix(4) {
                    links.append(("Visualiser \(l) (GeoJSON)", u + "?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=\(KVP.percentEncode(l))&COUNT=100&OUTPUTFORMAT=application/json" + keyQuery))
                }
            }
        case .wmsVector, .wmsRaster:
            if let u = url("WMS") {
                links.append(("Capabilities", u + "?SERVICE=WMS&REQUEST=GetCapabilities" + keyQuery))
                if let b = bbox {
                    let (w, hgt) = Self.size(b)
                    links.append(("Visualiser", u + "?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=\(KVP.percentEncode(c.layerName))&STYLES=&CRS=CRS:84"
                                  + "&BBOX=\(b.west),\(b.south),\(b.east),\(b.north)&WIDTH=\(w)&HEIGHT=\(hgt)&FORMAT=image/png&TRANSPARENT=FALSE" + keyQuery))
                }
            }
        case .wmtsTms:
            if let u = url("WMTS") { links.append(("WMTS capabilities", u + "?SERVICE=WMTS&REQUEST=GetCapabilities" + keyQuery)) }
            if let u = url("TMS") {
                links.append(("Visualiser (TMS tile map)", u + "/" + KVP.percentEncode(c.layerName) + (keyQuery.isEmpty ? "" : "?" + keyQuery.dropFirst())))
            }
        }
        links.insert(("Visualiser (map)", "/viewer?offering=" + KVP.percentEncode(p.offering.id) + (keyQuery.isEmpty ? "" : "&" + keyQuery.dropFirst())), at: 0)
        s += links.map { "<a href=\"\(h($0.1))\">\(h($0.0))</a>" }.joined(separator: " · ")
        return s + "</p></li>\n"
    }

    private func status(_ snap: ConfigSnapshot) -> String {
        let f = ISO8601DateFormatter()
        var s = "<section id=\"status\">\n<h2>Server status</h2>\n<p>Configuration generation \(snap.generation), loaded \(h(f.string(from: snap.loadedAt))); "
        s += "\(snap.endpoints.count) endpoints, \(snap.offerings.count) offerings; "
        s += snap.issues.isEmpty ? "no error.</p>\n" : "\(snap.issues.count) error(s):</p>\n<ul class=\"errors\">\n"
            + snap.issues.map { "<li><code>\(h($0.file))</code> \(h($0.path)): \(h($0.message))\($0.stale ? " (last good version serving)" : "")</li>" }.joined(separator: "\n")
            + "\n</ul>\n"
        return s + "<p><a href=\"/status\">/status</a> · <a href=\"/health\">/health</a> · <a href=\"/ready\">/ready</a> · <a href=\"/metrics\">/metrics</a></p>\n</section>\n"
    }

    /// The WGS84 extent of a published layer's stored data (the first that has one).
    static func extent(_ p: Published) -> GeoBBox? {
        p.configuration.typeInfos.usedData.lazy.compactMap { p.storedData[$0.storedData]?.extent?.bbox }.first
    }

    /// A map size of about 800 pixels wide with the box's proportions (in degrees, corrected for latitude).
    static func size(_ b: GeoBBox) -> (Int, Int) {
        let dx = max(1e-9, (b.east - b.west) * cos((b.north + b.south) / 2 * .pi / 180)), dy = max(1e-9, b.north - b.south)
        let w = 800
        return (w, max(100, min(800, Int(Double(w) * dy / dx))))
    }

    private func h(_ s: String) -> String { xmlEscape(s) }

    static let head = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Passerelle</title>
        <style>
        body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 0 1rem; color: #222; }
        h1 { margin-bottom: 0; } h2 small { font-weight: normal; color: #666; font-size: 0.7em; }
        section { border-top: 1px solid #ddd; padding: 0.5rem 0; } code { word-break: break-all; background: #f4f4f4; }
        ul.offerings { list-style: none; padding: 0; } ul.offerings li { margin: 0 0 1rem; }
        h3 { margin: 0.5rem 0 0; font-size: 1.05rem; } .links a { white-space: nowrap; }
        .tag { background: #fde68a; padding: 0 0.3rem; border-radius: 3px; font-size: 0.85em; }
        </style>
        </head>
        <body>

        """
}
