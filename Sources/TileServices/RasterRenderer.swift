import Foundation
import Geo
import ImageCodec
import NIOCore
import OGCCore
import TileStore

/// Builds a WMS image from a raster pyramid: level chosen by resolution, tiles decoded into a mosaic (missing
/// tiles are transparent nodata), each output pixel inverse-transformed into the pyramid's CRS and resampled.
/// Blocking: run it on the thread pool.
enum RasterRenderer {
    static let maxTiles = 400

    /// The level whose resolution best serves `resolution` (in the matrix set's CRS units): the coarsest level at
    /// least as fine as asked, else the finest.
    static func level(for resolution: Double, in layer: TileLayer) -> LayerLevel {
        layer.levels.first { $0.matrix.cellSize <= resolution * 1.0001 } ?? layer.bottom
    }

    /// The approximate output resolution expressed in the matrix set's CRS.
    static func nativeResolution(bbox: BBox, crs: String, width: Int, height: Int, layer: TileLayer) throws -> Double {
        let t = try CoordinateTransformer.make(from: crs, to: layer.matrixSet.crs)
        let nb = try t.transform(bbox)
        return min(nb.width / Double(width), nb.height / Double(height))
    }

    /// An RGBA image of `width`×`height` for `bbox` in `crs` (x east, y north).
    static func render(_ layer: TileLayer, bbox: BBox, crs: String, width: Int, height: Int,
                       interpolation: Interpolation) throws -> RasterImage {
        let toNative = try CoordinateTransformer.make(from: crs, to: layer.matrixSet.crs)
        let nb = try toNative.transform(bbox)
        let level = Self.level(for: min(nb.width / Double(width), nb.height / Double(height)), in: layer)
        let m = level.matrix
        let lim = level.level.limits
        // Tiles covering the request (with one tile of margin for the kernels), within the pyramid's limits.
        let c0 = max(lim.minCol, Int(((nb.minX - m.originX) / m.tileSpanX).rounded(.down)) - 1)
        let c1 = min(lim.maxCol, Int(((nb.maxX - m.originX) / m.tileSpanX).rounded(.down)) + 1)
        let r0 = max(lim.minRow, Int(((m.originY - nb.maxY) / m.tileSpanY).rounded(.down)) - 1)
        let r1 = min(lim.maxRow, Int(((m.originY - nb.minY) / m.tileSpanY).rounded(.down)) + 1)
        var out = RasterImage(width: width, height: height, channels: 4, fill: [0, 0, 0, 0])
        guard c0 <= c1, r0 <= r1 else { return out }
        guard (c1 - c0 + 1) * (r1 - r0 + 1) <= maxTiles else {
            throw OGCError(.invalidParameterValue, locator: "BBOX", "The request covers too many tiles of the pyramid")
        }
        let mosaic = try mosaic(layer, level, cols: c0...c1, rows: r0...r1)
        // Mosaic pixel of a native coordinate.
        let mx0 = m.originX + Double(c0) * m.tileSpanX, my0 = m.originY - Double(r0) * m.tileSpanY
        let resX = bbox.width / Double(width), resY = bbox.height / Double(height)
        var row = [Coord](repeating: Coord(0, 0), count: width)
        var v = [Double](repeating: 0, count: 4)
        for py in 0..<height {
            let y = bbox.maxY - (Double(py) + 0.5) * resY
            for px in 0..<width { row[px] = Coord(bbox.minX + (Double(px) + 0.5) * resX, y) }
            try toNative.transform(inPlace: &row)
            for px in 0..<width {
                let p = row[px]
                guard p.x.isFinite, p.y.isFinite else { continue }
                let sx = (p.x - mx0) / m.cellSize, sy = (my0 - p.y) / m.cellSize
                guard sx >= 0, sy >= 0, sx < Double(mosaic.width), sy < Double(mosaic.height) else { continue }
                mosaic.sample(x: sx, y: sy, interpolation, into: &v)
                let o = (py * width + px) * 4
                for c in 0..<4 { out.pixels[o + c] = UInt8(v[c].rounded()) }
            }
        }
        return out
    }

    /// The tiles of a range decoded into one RGBA image; missing tiles are transparent.
    static func mosaic(_ layer: TileLayer, _ level: LayerLevel, cols: ClosedRange<Int>, rows: ClosedRange<Int>) throws -> RasterImage {
        let tw = level.matrix.tileWidth, th = level.matrix.tileHeight
        let w = cols.count * tw, h = rows.count * th
        var img = RasterImage(width: w, height: h, channels: 4, fill: [0, 0, 0, 0])
        for r in rows {
            for c in cols {
                guard let data = try level.reader.readTile(level: level.level.id, col: c, row: r) else { continue }
                let tile = try ImageDecoder.decode(data.bytes.readableBytesView)
                let ox = (c - cols.lowerBound) * tw, oy = (r - rows.lowerBound) * th
                for y in 0..<min(th, tile.height) {
                    for x in 0..<min(tw, tile.width) {
                        let s = tile.pixel(x, y), o = ((oy + y) * w + ox + x) * 4
                        let b = s.startIndex
                        switch tile.channels {
                        case 1: img.pixels[o] = s[b]; img.pixels[o + 1] = s[b]; img.pixels[o + 2] = s[b]; img.pixels[o + 3] = 255
                        case 2: img.pixels[o] = s[b]; img.pixels[o + 1] = s[b]; img.pixels[o + 2] = s[b]; img.pixels[o + 3] = s[b + 1]
                        case 3: img.pixels[o] = s[b]; img.pixels[o + 1] = s[b + 1]; img.pixels[o + 2] = s[b + 2]; img.pixels[o + 3] = 255
                        default: for k in 0..<4 { img.pixels[o + k] = s[b + k] }
                        }
                    }
                }
            }
        }
        return img
    }

    /// The pixel values of the pyramid at a native coordinate, at the level chosen for `resolution`.
    static func pixelValues(_ layer: TileLayer, x: Double, y: Double, resolution: Double) throws -> [Int] {
        let level = Self.level(for: resolution, in: layer)
        let m = level.matrix
        let gx = (x - m.originX) / m.cellSize, gy = (m.originY - y) / m.cellSize
        let col = Int((gx / Double(m.tileWidth)).rounded(.down)), row = Int((gy / Double(m.tileHeight)).rounded(.down))
        let nodata = layer.raster?.nodata ?? []
        guard col >= 0, row >= 0, let data = try level.reader.readTile(level: level.level.id, col: col, row: row) else { return nodata }
        let tile = try ImageDecoder.decode(data.bytes.readableBytesView)
        let px = min(tile.width - 1, Int(gx) - col * m.tileWidth), py = min(tile.height - 1, Int(gy) - row * m.tileHeight)
        return tile.pixel(px, py).map { Int($0) }
    }
}
