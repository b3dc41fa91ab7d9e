import Config
import Foundation
import Hummingbird
import OGCCore
import ServiceKit
import TileStore

/// WMTS 1.0.0 over ROK4 pyramids: GetCapabilities, GetTile and GetFeatureInfo in KVP, capabilities and tiles
/// in REST (`/1.0.0/WMTSCapabilities.xml`, `/{layer}/{style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.{ext}`).
///
/// Tiles that do not exist: a TileRow/TileCol outside the matrix or outside the layer's TileMatrixSetLimits is
/// `TileOutOfRange` with HTTP 400 and the offending parameter as locator, as the WMTS standard says; a tile
/// inside the limits with no data (missing slab, empty tile) is a nodata tile (`MissingTile`). Vector pyramids are not published in
/// WMTS (as in ROK4): use TMS.
public final class WMTSService: OGCService {
    public let resolver: TileLayerResolver
    /// Capabilities by generation, endpoint, visibility and URL: a document of thousands of layers is made once.
    let capabilitiesCache = DocumentCache()
    let layerFragments = GenerationCache<WMTSLayerSummary, String>()
    /// `Cache-Control: public, max-age=…` of tiles, in seconds.
    public let tileMaxAge: Int

    public init(registry: TileStoreRegistry, tileMaxAge: Int = 3600) {
        self.resolver = TileLayerResolver(registry: registry)
        self.tileMaxAge = tileMaxAge
    }

    public static let infoFormats = ["text/plain", "text/html", "application/json", "text/xml"]

    public func exceptionFlavour(for request: OGCRequest, _ context: ServiceContext) -> ExceptionFlavour {
        .ows110(serviceVersion: "1.0.0")
    }

    public func handle(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let segs = try TileHTTP.segments(request.subpath)
        if !segs.isEmpty { return try await rest(segs, request, context) }
        let kvp = request.kvp
        if let s = kvp.nonEmpty("SERVICE"), s.uppercased() != "WMTS" {
            throw OGCError.invalid("SERVICE", "SERVICE must be WMTS")
        }
        guard let req = kvp.nonEmpty("REQUEST") else { throw OGCError.missing("REQUEST") }
        switch req.lowercased() {
        case "getcapabilities":
            // SERVICE is mandatory in KVP (OWS Common 1.1, 7.2.1); ACCEPTVERSIONS must include 1.0.0.
            if kvp.nonEmpty("SERVICE") == nil { throw OGCError.missing("SERVICE") }
            if let accepted = kvp.nonEmpty("ACCEPTVERSIONS"),
               !accepted.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "1.0.0" }) {
                throw OGCError(.versionNegotiationFailed, locator: "ACCEPTVERSIONS", "This service speaks WMTS 1.0.0 only", status: 400)
            }
            return try await capabilities(request, context)
        case "gettile", "getfeatureinfo":
            if kvp.nonEmpty("SERVICE") == nil { throw OGCError.missing("SERVICE") }
            if let v = kvp.nonEmpty("VERSION"), v != "1.0.0" { throw OGCError.invalid("VERSION", "VERSION must be 1.0.0") }
            if kvp.nonEmpty("VERSION") == nil { throw OGCError.missing("VERSION") }
            let t = try await tileRequest(
                layer: kvp.required("LAYER"), style: kvp.required("STYLE"), format: kvp.required("FORMAT"),
                matrixSet: kvp.required("TILEMATRIXSET"), matrix: kvp.required("TILEMATRIX"),
                row: kvp.required("TILEROW"), col: kvp.required("TILECOL"), context)
            if req.lowercased() == "gettile" { return try await tile(t, request, context) }
            let infoFormat = try kvp.required("INFOFORMAT")
            let i = try kvp.required("I"), j = try kvp.required("J")
            return try await featureInfo(t, i: i, j: j, infoFormat: infoFormat, context)
        default:
            throw OGCError(.operationNotSupported, locator: "REQUEST", "Request \(req) is not supported", status: 400)
        }
    }

    // MARK: REST

    private func rest(_ segs: [String], _ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        if segs == ["1.0.0", "WMTSCapabilities.xml"] || segs == ["WMTSCapabilities.xml"] {
            return try await capabilities(request, context)
        }
        guard segs.count == 6, let dot = segs[5].lastIndex(of: ".") else {
            throw OGCError(.notFound, "No such resource")
        }
        let col = String(segs[5][..<dot]), ext = String(segs[5][segs[5].index(after: dot)...])
        let t = try await tileRequest(layer: segs[0], style: segs[1], format: nil, matrixSet: segs[2], matrix: segs[3],
                                      row: segs[4], col: col, context)
        guard ext.lowercased() == t.layer.format.fileExtension || (ext.lowercased() == "jpg" && t.layer.format.fileExtension == "jpeg") else {
            throw OGCError.invalid("FORMAT", "Layer \(t.layer.name) is served as \(t.layer.format.fileExtension)")
        }
        return try await tile(t, request, context)
    }

    // MARK: GetTile

    struct TileRequest {
        var layer: TileLayer
        var level: LayerLevel
        var col: Int
        var row: Int
    }

    private func tileRequest(layer name: String, style: String, format: String?, matrixSet: String, matrix: String,
                             row: String, col: String, _ context: ServiceContext) async throws -> TileRequest {
        guard let layer = try await resolver.layer(named: name, context), !layer.isVector else {
            throw OGCError.invalid("LAYER", "Unknown layer \(name)")
        }
        guard Self.styles(of: layer).contains(where: { $0 == style }) || style.lowercased() == "default" else {
            throw OGCError.invalid("STYLE", "Unknown style \(style) for layer \(name)")
        }
        if let f = format, f.lowercased() != layer.format.mimeType {
            throw OGCError.invalid("FORMAT", "Layer \(name) is served as \(layer.format.mimeType)")
        }
        guard matrixSet == layer.matrixSetIdentifier || matrixSet == layer.matrixSet.id else {
            throw OGCError.invalid("TILEMATRIXSET", "Unknown tile matrix set \(matrixSet) for layer \(name)")
        }
        guard let level = layer.level(matrix) else {
            throw OGCError.invalid("TILEMATRIX", "Unknown tile matrix \(matrix) in \(matrixSet)")
        }
        guard let r = Int(row) else { throw OGCError.invalid("TILEROW", "TILEROW must be an integer") }
        guard let c = Int(col) else { throw OGCError.invalid("TILECOL", "TILECOL must be an integer") }
        guard r >= 0, r < level.matrix.matrixHeight else {
            throw OGCError(.tileOutOfRange, locator: "TILEROW", "TILEROW \(r) is outside tile matrix \(matrix)", status: 400)
        }
        guard c >= 0, c < level.matrix.matrixWidth else {
            throw OGCError(.tileOutOfRange, locator: "TILECOL", "TILECOL \(c) is outside tile matrix \(matrix)", status: 400)
        }
        // Outside the TileMatrixSetLimits the capabilities advertise: out of range too (WMTS 1.0.0, Table 23).
        let lim = level.level.limits
        guard r >= lim.minRow, r <= lim.maxRow else {
            throw OGCError(.tileOutOfRange, locator: "TILEROW", "TILEROW \(r) is outside the limits of layer \(name) at \(matrix) (\(lim.minRow)–\(lim.maxRow))", status: 400)
        }
        guard c >= lim.minCol, c <= lim.maxCol else {
            throw OGCError(.tileOutOfRange, locator: "TILECOL", "TILECOL \(c) is outside the limits of layer \(name) at \(matrix) (\(lim.minCol)–\(lim.maxCol))", status: 400)
        }
        return TileRequest(layer: layer, level: level, col: c, row: r)
    }

    private func tile(_ t: TileRequest, _ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        guard let data = try await t.level.reader.tile(level: t.level.level.id, col: t.col, row: t.row) else {
            return MissingTile.response(t.layer, t.level, request: request, maxAge: tileMaxAge)
        }
        return TileHTTP.response(data, contentType: t.layer.format.mimeType, request: request, maxAge: tileMaxAge)
    }

    static func styles(of layer: TileLayer) -> [String] {
        let s = layer.published.configuration.typeInfos.styles ?? []
        return s.isEmpty ? ["normal"] : s
    }

    // MARK: GetFeatureInfo

    private func featureInfo(_ t: TileRequest, i: String, j: String, infoFormat: String, _ context: ServiceContext) async throws -> Response {
        guard t.layer.getFeatureInfo else {
            throw OGCError(.operationNotSupported, locator: "REQUEST", "GetFeatureInfo is not enabled on layer \(t.layer.name)", status: 400)
        }
        guard let fmt = Self.infoFormats.first(where: { $0 == infoFormat.lowercased() }) ?? (infoFormat.lowercased() == "application/xml" ? "text/xml" : nil) else {
            throw OGCError.invalid("INFOFORMAT", "INFOFORMAT must be one of \(Self.infoFormats.joined(separator: ", "))")
        }
        guard let x = Int(i), x >= 0, x < t.level.matrix.tileWidth else { throw OGCError.invalid("I", "I must be a pixel column of the tile") }
        guard let y = Int(j), y >= 0, y < t.level.matrix.tileHeight else { throw OGCError.invalid("J", "J must be a pixel row of the tile") }
        let values = try await PixelQuery.values(t.layer, level: t.level, col: t.col, row: t.row, x: x, y: y, context)
        let body = PixelQuery.render(values, layer: t.layer.name, format: fmt)
        return Response.text(body, contentType: fmt + "; charset=UTF-8")
    }

    // MARK: GetCapabilities

    private func capabilities(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        try await capabilitiesCache.response(DocumentCache.key(request, context, version: "1.0.0"), request,
                                             contentType: "application/xml; charset=UTF-8") {
            let layers = try await resolver.layers(context).filter { !$0.isVector }
            return Array(try context.templates.render("wmts-capabilities", try Self.capabilitiesContext(layers, request, context, fragments: layerFragments)).utf8)
        }
    }

    /// `fragments`: each layer's piece of the document, kept across reloads (an edit among 5,000 layers renders one).
    static func capabilitiesContext(_ layers: [TileLayer], _ request: OGCRequest, _ context: ServiceContext,
                                    fragments: GenerationCache<WMTSLayerSummary, String>) throws -> [String: Any] {
        let meta = context.endpoint.service
        let c = meta?.contact
        var ctx: [String: Any] = [
            "title": meta?.title ?? context.endpoint.name,
            "abstract": meta?.abstract ?? "",
            "hasKeywords": !(meta?.keywords ?? []).isEmpty,
            "keywords": meta?.keywords ?? [],
            "fees": meta?.fees ?? "none",
            "accessConstraints": meta?.accessConstraints ?? "none",
            "providerName": c?.organization ?? "Passerelle",
            "serviceMetadataURL": request.url("/1.0.0/WMTSCapabilities.xml"),
        ]
        for (k, v) in [("providerSite", c?.url), ("contactPerson", c?.person), ("contactPosition", c?.position),
                       ("contactPhone", c?.phone), ("contactAddress", c?.address), ("contactCity", c?.city),
                       ("contactPostalCode", c?.postalCode), ("contactCountry", c?.country), ("contactEmail", c?.email)] {
            if let v { ctx[k] = v }
        }
        var ops: [[String: Any]] = [
            ["name": "GetCapabilities", "href": request.onlineResource, "restHref": request.url("/1.0.0/WMTSCapabilities.xml")],
            ["name": "GetTile", "href": request.onlineResource],
        ]
        if layers.contains(where: \.getFeatureInfo) { ops.append(["name": "GetFeatureInfo", "href": request.onlineResource]) }
        ctx["operations"] = ops

        var sets: [String: [String: Any]] = [:]
        ctx["layers"] = try layers.map { l -> [String: String] in
            let b = l.wgs84BBox
            let styles = Self.styles(of: l)
            let id = l.matrixSetIdentifier
            if sets[id] == nil {
                let north = l.matrixSet.isNorthFirst
                sets[id] = [
                    "identifier": id, "crs": l.matrixSet.crsURN,
                    "matrices": l.levels.map { lv -> [String: Any] in
                        let m = lv.matrix
                        return ["id": m.id, "scale": num(m.scaleDenominator),
                                "topLeft": north ? "\(num(m.originY)) \(num(m.originX))" : "\(num(m.originX)) \(num(m.originY))",
                                "tileWidth": m.tileWidth, "tileHeight": m.tileHeight,
                                "matrixWidth": m.matrixWidth, "matrixHeight": m.matrixHeight]
                    },
                ]
            }
            let summary = WMTSLayerSummary(
                name: l.name, title: l.title, abstract: l.abstract, keywords: l.keywords,
                bbox: [num(b.minX), num(b.minY), num(b.maxX), num(b.maxY)], styles: styles, format: l.format.mimeType,
                infoFormats: l.getFeatureInfo ? Self.infoFormats : [], matrixSet: id,
                limits: l.levels.map { lv in
                    let lim = lv.level.limits, m = lv.matrix
                    return WMTSLayerSummary.Limits(matrix: m.id, minRow: max(0, lim.minRow), maxRow: min(lim.maxRow, m.matrixHeight - 1),
                                                   minCol: max(0, lim.minCol), maxCol: min(lim.maxCol, m.matrixWidth - 1))
                },
                tileTemplate: request.url("/\(KVP.percentEncode(l.name))/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.\(l.format.fileExtension)"),
                metadata: (l.published.configuration.metadata ?? []).map(\.url))
            let xml = try fragments.value(summary, generation: context.snapshot.generation) {
                try context.templates.render("wmts-layer", summary.templateContext)
            }
            return ["xml": xml]
        }
        ctx["matrixSets"] = sets.keys.sorted().map { sets[$0]! }
        return ctx
    }
}

/// What the WMTS capabilities show of one layer: the key of its rendered piece (`GenerationCache`), and the context
/// of the `wmts-layer` template.
struct WMTSLayerSummary: Hashable, Sendable {
    struct Limits: Hashable, Sendable {
        var matrix: String
        var minRow, maxRow, minCol, maxCol: Int
    }
    var name, title, abstract: String
    var keywords: [String]
    /// west, south, east, north, formatted.
    var bbox: [String]
    var styles: [String]
    var format: String
    var infoFormats: [String]
    var matrixSet: String
    var limits: [Limits]
    var tileTemplate: String
    var metadata: [String]

    var templateContext: [String: Any] {
        [
            "name": name, "title": title, "abstract": abstract, "hasKeywords": !keywords.isEmpty, "keywords": keywords,
            "west": bbox[0], "south": bbox[1], "east": bbox[2], "north": bbox[3],
            "styles": styles.enumerated().map { ["identifier": $1, "title": $1, "isDefault": $0 == 0 ? "true" : "false"] },
            "format": format, "infoFormats": infoFormats, "matrixSet": matrixSet,
            "limits": limits.map { ["matrix": $0.matrix, "minRow": $0.minRow, "maxRow": $0.maxRow, "minCol": $0.minCol, "maxCol": $0.maxCol] },
            "tileTemplate": tileTemplate,
            "metadata": metadata.map { ["url": $0] },
        ]
    }
}
