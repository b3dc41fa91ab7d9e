import Config
import Foundation
import Hummingbird
import ImageCodec
import NIOCore
import OGCCore
import ServiceKit
import Synchronization
import TileStore

/// What a tile of the matrix that holds no data answers (a sparse pyramid, or a tile of the view just outside
/// the data, which QGIS's XYZ and vector-tile layers ask for). By default, as vector tile servers and tile
/// caches do, so that clients do not log an error per tile:
/// - raster: a tile of the pyramid's nodata value in the pyramid's format, transparent in PNG; made once per
///   layer, format and size, and cached;
/// - vector: `204 No Content`;
/// - formats with no image encoder here (raw, float): 404.
/// A configuration with `type_infos.missing_tiles: "404"` answers 404 as ROK4 does.
enum MissingTile {
    private static let cache = Mutex<[String: ByteBuffer]>([:])

    static func response(_ layer: TileLayer, _ level: LayerLevel, request: OGCRequest, maxAge: Int) -> Response {
        let headers: HTTPFields = [.cacheControl: "public, max-age=\(maxAge)"]
        if layer.published.configuration.typeInfos.missingTiles == "404" {
            return Response(status: .notFound, headers: headers + [.contentLength: "0"])
        }
        if layer.isVector { return Response(status: .noContent, headers: headers) }
        guard let tile = image(layer, width: level.matrix.tileWidth, height: level.matrix.tileHeight) else {
            return Response(status: .notFound, headers: headers + [.contentLength: "0"])
        }
        var h = headers
        h[.contentType] = layer.format.mimeType
        h[.contentLength] = String(tile.readableBytes)
        if request.method == .head { return Response(status: .ok, headers: h, body: ResponseBody()) }
        return Response(status: .ok, headers: h, body: ResponseBody(byteBuffer: tile))
    }

    /// The nodata tile of a layer, encoded in its format (nil for formats without an encoder).
    static func image(_ layer: TileLayer, width: Int, height: Int) -> ByteBuffer? {
        let format: ImageFormat
        switch layer.format {
        case .jpgUInt8, .jpg90UInt8: format = .jpeg
        case .pngUInt8: format = .png
        default: return nil
        }
        let channels = layer.raster?.channels ?? 3
        let nodata = (layer.raster?.nodata ?? []).map { UInt8(clamping: $0) }
        let key = "\(layer.name)|\(layer.format.rawValue)|\(width)x\(height)|\(nodata)"
        if let hit = cache.withLock({ $0[key] }) { return hit }
        // The nodata colour (grey pyramids: its first value on the three channels); PNG adds a transparent alpha.
        let colour = channels <= 2 ? [UInt8](repeating: nodata.first ?? 255, count: 3) : Array((nodata + [255, 255, 255]).prefix(3))
        let fill = format == .png ? colour + [0] : colour
        let image = RasterImage(width: width, height: height, channels: fill.count, fill: fill)
        guard let bytes = try? ImageEncoder.encode(image, as: format) else { return nil }
        let buffer = ByteBuffer(bytes: bytes)
        cache.withLock { $0[key] = buffer }
        return buffer
    }
}
