import Config
import Foundation
import Hummingbird
import OGCCore

/// `/viewer?offering=ID`: the offering on a map ("Visualiser"), drawn by `viewer/viewer.js` with Leaflet, both
/// served from the binary (`/viewer/viewer.js`, `/viewer/leaflet.js`, `/viewer/leaflet.css`). WMS layers as
/// WMS images (GetFeatureInfo on click, the legend), PM raster pyramids as tiles, WFS feature types as GeoJSON
/// of the view with a count. A restricted offering is shown only with a key that grants it (else 404, as an
/// unknown one).
struct ViewerPage {
    let access: AccessControl

    /// The decoded assets, by name.
    static let assets: [String: (contentType: String, bytes: [UInt8])] = ViewerAssets.files.mapValues {
        ($0.contentType, Array(Data(base64Encoded: $0.base64) ?? Data()))
    }

    func asset(_ name: String) -> Response? {
        guard let a = Self.assets[name] else { return nil }
        return Response.bytes(a.bytes, contentType: a.contentType, headers: [.cacheControl: "public, max-age=3600"])
    }

    func page(_ snap: ConfigSnapshot, baseURL: String, kvp: KVP, headers: HTTPFields) -> Response {
        guard let id = kvp.nonEmpty("OFFERING"), let offering = snap.offerings[id],
              let endpoint = snap.endpoints[offering.endpoint],
              let published = access.visibleLayers(snapshot: snap, endpoint: endpoint, kvp: kvp, headers: headers)
                .first(where: { $0.offering.id == id }) else {
            return .text("No such offering\n", contentType: "text/plain; charset=utf-8", status: .notFound)
        }
        let key = endpoint.open ? nil : AccessControl.presentedKey(kvp: kvp, headers: headers)
        let c = published.configuration
        var cfg: [String: Any] = ["kind": "unsupported"]
        if let key { cfg["apikey"] = key }
        if let b = c.typeInfos.bbox ?? LandingPage.extent(published) { cfg["bbox"] = [b.west, b.south, b.east, b.north] }
        func url(_ type: String) -> String? { endpoint.urls.first { $0.type.uppercased() == type }.map { baseURL + $0.path } }
        switch c.type {
        case .wmsVector, .wmsRaster:
            if let u = url("WMS") {
                cfg["kind"] = "wms"; cfg["url"] = u; cfg["layers"] = [c.layerName]
                if c.type == .wmsVector {
                    cfg["legend"] = u + "?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&FORMAT=image/png&LAYER=" + KVP.percentEncode(c.layerName)
                }
            }
        case .wfs:
            if let u = url("WFS") {
                cfg["kind"] = "wfs"; cfg["url"] = u; cfg["maxFeatures"] = 500
                cfg["typenames"] = c.typeInfos.usedData.flatMap { ($0.relations ?? []).map { c.layerName + ":" + $0.exposedName } }
            }
        case .wmtsTms:
            let used = c.typeInfos.usedData.first
            let stored = used.flatMap { published.storedData[$0.storedData] }
            let ext: String? = switch stored?.typeInfos?.compression?.uppercased() {
            case "PNG": "png"
            case "JPG", "JPG90", "JPEG": "jpg"
            default: nil
            }
            let vector = stored?.type == .rok4PyramidVector
            if let u = url("TMS"), let ext = vector ? "pbf" : ext, stored?.typeInfos?.tms == "PM",
               let top = used?.topLevel.flatMap({ Int($0.value) }), let bottom = used?.bottomLevel.flatMap({ Int($0.value) }) {
                cfg["kind"] = vector ? "vectortiles" : "tiles"; cfg["minZoom"] = top; cfg["maxZoom"] = bottom
                cfg["tiles"] = u + "/" + KVP.percentEncode(c.layerName) + "/{z}/{x}/{y}." + ext
            } else {
                cfg["message"] = "This pyramid is not in the PM tile matrix set: open its WMTS capabilities in QGIS."
            }
        }
        return .text(html(title: c.typeInfos.title ?? c.name, type: c.type.rawValue, config: cfg), contentType: "text/html; charset=utf-8",
                     headers: key == nil ? [.cacheControl: "no-cache"] : [.cacheControl: "private, no-store"])
    }

    private func html(title: String, type: String, config: [String: Any]) -> String {
        let json = (try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        // Inside <script>, "</" would end the element: escape it.
        let safe = json.replacingOccurrences(of: "</", with: "<\\/")
        let select = (config["typenames"] as? [String]).map { names in
            "<label>Feature type <select id=\"typename\">" + names.map { "<option>\(xmlEscape($0))</option>" }.joined() + "</select></label> "
        } ?? ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(xmlEscape(title)) — Passerelle</title>
            <link rel="stylesheet" href="/viewer/leaflet.css">
            <style>
            html, body { height: 100%; margin: 0; font: 15px/1.4 system-ui, sans-serif; }
            body { display: flex; flex-direction: column; }
            header, footer { padding: 0.4rem 0.8rem; background: #f4f4f4; }
            #map { flex: 1; min-height: 300px; }
            #info table { border-collapse: collapse; } #info th { text-align: left; padding-right: 0.6rem; }
            .warning { color: #b45309; } #legend img { max-height: 8rem; }
            </style>
            </head>
            <body>
            <header><a href="/">Passerelle</a> · <strong>\(xmlEscape(title))</strong> <small>\(xmlEscape(type))</small></header>
            <div id="map"></div>
            <footer>\(select)<span id="count"></span> <span id="coords"></span><div id="legend"></div><div id="info"></div></footer>
            <script src="/viewer/leaflet.js"></script>
            <script src="/viewer/mvt.js"></script>
            <script id="offering" type="application/json">\(safe)</script>
            <script src="/viewer/viewer.js"></script>
            </body>
            </html>

            """
    }
}
