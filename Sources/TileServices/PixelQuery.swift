import Foundation
import ImageCodec
import NIOCore
import NIOPosix
import OGCCore
import ServiceKit
import TileStore

/// GetFeatureInfo on a raster pyramid: the values of one pixel of one tile.
enum PixelQuery {
    /// The channel values at (x, y) of tile (col, row); the pyramid's nodata where there is no tile.
    static func values(_ layer: TileLayer, level: LayerLevel, col: Int, row: Int, x: Int, y: Int,
                       _ context: ServiceContext) async throws -> [Int] {
        let nodata = layer.raster?.nodata ?? []
        guard let tile = try await level.reader.tile(level: level.level.id, col: col, row: row) else { return nodata }
        let bytes = tile.bytes
        let image = try await NIOThreadPool.singleton.runIfActive { () throws -> RasterImage in
            try ImageDecoder.decode(bytes.readableBytesView)
        }
        guard x < image.width, y < image.height else { return nodata }
        return image.pixel(x, y).map { Int($0) }
    }

    static func render(_ values: [Int], layer: String, format: String) -> String {
        let names = values.indices.map { "band_\($0 + 1)" }
        switch format {
        case "application/json":
            let props = zip(names, values).map { "\"\($0)\":\($1)" }.joined(separator: ",")
            return #"{"type":"FeatureCollection","features":[{"type":"Feature","id":"\#(jsonEscape(layer))","geometry":null,"properties":{\#(props)}}]}"#
        case "text/html":
            let cells = zip(names, values).map { "<tr><th>\($0)</th><td>\($1)</td></tr>" }.joined()
            return "<!DOCTYPE html><html><head><meta charset=\"UTF-8\"><title>\(xmlEscape(layer))</title></head><body><table><caption>\(xmlEscape(layer))</caption>\(cells)</table></body></html>\n"
        case "text/xml":
            let vs = zip(names, values).map { "    <Value band=\"\($0)\">\($1)</Value>\n" }.joined()
            return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FeatureInfoResponse>\n  <Layer name=\"\(xmlEscape(layer))\">\n\(vs)  </Layer>\n</FeatureInfoResponse>\n"
        default:
            return "Layer \(layer)\n" + zip(names, values).map { "\($0) = \($1)\n" }.joined()
        }
    }
}
