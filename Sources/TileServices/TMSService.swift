import Config
import Foundation
import Hummingbird
import OGCCore
import ServiceKit
import TileStore

/// TMS 1.0.0 as the Géoplateforme's ROK4 serves it, below the endpoint's TMS path (e.g. `/tms/1.0.0`):
/// - `` or `/`: the TileMapService document;
/// - `/{layer}`: the layer's TileMap document;
/// - `/{layer}/metadata.json` and `/{layer}.json`: TileJSON 3.0.0 (with `vector_layers` for vector pyramids);
/// - `/{layer}/{z}/{x}/{y}.{ext}`: a tile, **rows counted from the top** (XYZ, no TMS flip), as ROK4 does and as
///   MapLibre, Leaflet and QGIS "XYZ" connections expect. The TileMap document is consistent with that: its
///   `Origin` is the top-left corner, and each TileSet carries its row and column limits.
/// A tile with no data answers 404 (as ROK4).
public final class TMSService: OGCService {
    public let resolver: TileLayerResolver
    public let tileMaxAge: Int

    public init(registry: TileStoreRegistry, tileMaxAge: Int = 3600) {
        self.resolver = TileLayerResolver(registry: registry)
        self.tileMaxAge = tileMaxAge
    }

    public func exceptionFlavour(for request: OGCRequest, _ context: ServiceContext) -> ExceptionFlavour {
        .ows110(serviceVersion: "1.0.0")
    }

    public func handle(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let segs = try TileHTTP.segments(request.subpath)
        switch segs.count {
        case 0:
            return try await root(request, context)
        case 1 where segs[0].hasSuffix(".json"):
            return try await tileJSON(try await layer(String(segs[0].dropLast(5)), context), request)
        case 1:
            return try await tileMap(try await layer(segs[0], context), request, context)
        case 2 where segs[1] == "metadata.json":
            return try await tileJSON(try await layer(segs[0], context), request)
        case 4:
            return try await tile(segs, request, context)
        default:
            throw OGCError(.notFound, "No such resource")
        }
    }

    private func layer(_ name: String, _ context: ServiceContext) async throws -> TileLayer {
        guard let l = try await resolver.layer(named: name, context) else {
            throw OGCError(.notFound, locator: "layer", "Unknown layer \(name)")
        }
        return l
    }

    // MARK: Tiles

    private func tile(_ segs: [String], _ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let l = try await layer(segs[0], context)
        let file = segs[3]
        guard let dot = file.lastIndex(of: ".") else { throw OGCError.invalid("path", "The tile needs an extension") }
        let ext = file[file.index(after: dot)...].lowercased()
        guard ext == l.format.fileExtension || (ext == "jpg" && l.format.fileExtension == "jpeg") else {
            throw OGCError.invalid("path", "Layer \(l.name) tiles are .\(l.format.fileExtension)")
        }
        guard let level = l.level(segs[1]) else { throw OGCError(.notFound, "Unknown level \(segs[1])") }
        guard let x = Int(segs[2]), let y = Int(file[..<dot]) else {
            throw OGCError.invalid("path", "Tile column and row must be integers")
        }
        guard level.matrix.contains(col: x, row: y) else {
            throw OGCError(.tileOutOfRange, "Tile \(segs[1])/\(x)/\(y) is outside the tile matrix", status: 400)
        }
        guard let data = try await level.reader.tile(level: level.level.id, col: x, row: y) else {
            return MissingTile.response(l, level, request: request, maxAge: tileMaxAge)
        }
        return TileHTTP.response(data, contentType: l.format.mimeType, request: request, maxAge: tileMaxAge)
    }

    // MARK: Documents

    private func root(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let layers = try await resolver.layers(context)
        let meta = context.endpoint.service
        let ctx: [String: Any] = [
            "servicesURL": request.url(""),
            "title": meta?.title ?? context.endpoint.name,
            "abstract": meta?.abstract ?? "",
            "hasKeywords": !(meta?.keywords ?? []).isEmpty,
            "keywords": (meta?.keywords ?? []).joined(separator: " "),
            "layers": layers.map { l -> [String: Any] in
                ["title": l.title, "srs": l.matrixSet.crs, "extension": l.format.fileExtension,
                 "href": request.url("/" + KVP.percentEncode(l.name))]
            },
        ]
        return Response.text(try context.templates.render("tms-service", ctx), contentType: "application/xml; charset=UTF-8")
    }

    private func tileMap(_ l: TileLayer, _ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let b = l.nativeBBox, top = l.top.matrix
        let ctx: [String: Any] = [
            "serviceURL": request.url(""),
            "title": l.title, "abstract": l.abstract, "srs": l.matrixSet.crs,
            "minx": num(b.minX), "miny": num(b.minY), "maxx": num(b.maxX), "maxy": num(b.maxY),
            "originX": num(top.originX), "originY": num(top.originY),
            "tileWidth": top.tileWidth, "tileHeight": top.tileHeight,
            "mimeType": l.format.mimeType, "extension": l.format.fileExtension,
            "levels": l.levels.enumerated().map { i, lv -> [String: Any] in
                let lim = lv.level.limits
                return ["href": request.url("/\(KVP.percentEncode(l.name))/\(lv.matrix.id)"),
                        "resolution": num(lv.matrix.cellSize), "order": i,
                        "minRow": lim.minRow, "maxRow": lim.maxRow, "minCol": lim.minCol, "maxCol": lim.maxCol]
            },
        ]
        return Response.text(try context.templates.render("tms-tilemap", ctx), contentType: "application/xml; charset=UTF-8")
    }

    private func tileJSON(_ l: TileLayer, _ request: OGCRequest) async throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: TileJSON.document(l, request), options: [.sortedKeys, .withoutEscapingSlashes])
        return Response.bytes(data, contentType: "application/json")
    }
}
