import Foundation
import Geo
import ImageCodec
import OGCCore
import TileServices
import TileStore

/// Builds a WMS image from a raster pyramid: the level chosen by resolution, the tiles under the image decoded
/// into one source window (missing tiles are transparent nodata), resampled by `Resampler`. Blocking: GetMap
/// runs it on the render pool, GetFeatureInfo's pixel reads on NIO's thread pool.
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

    /// The image of `bbox` in `crs` (x east, y north), `width`×`height` pixels: RGB when every pixel has data,
    /// else RGBA with premultiplied alpha (no data, outside the pyramid or the projection: transparent).
    ///
    /// The output pixel centres are projected into the chosen level's pixel grid: exactly on a 16-pixel grid, and
    /// when that grid shows the transformation keeps x with columns and y with rows (the pyramid's own CRS, or
    /// Mercator ↔ geographic) at every pixel along one row and one column, which the resampler runs in two
    /// one-dimensional passes. Only the tiles under the image are read, each decoded once for all requests
    /// (`DecodedTileCache`).
    static func render(_ layer: TileLayer, bbox: BBox, crs: String, width: Int, height: Int,
                       interpolation: Interpolation, decoded: DecodedTileCache = .shared) throws -> RasterImage {
        let toNative = try CoordinateTransformer.make(from: crs, to: layer.matrixSet.crs)
        let nb = try toNative.transform(bbox)
        let level = Self.level(for: min(nb.width / Double(width), nb.height / Double(height)), in: layer)
        let m = level.matrix, lim = level.level.limits
        var mapping = try pixelMapping(toNative, bbox: bbox, width: width, height: height, matrix: m)
        // The level's data, in its pixels; positions outside it get no value.
        let dataX = Double(lim.minCol * m.tileWidth)...Double((lim.maxCol + 1) * m.tileWidth)
        let dataY = Double(lim.minRow * m.tileHeight)...Double((lim.maxRow + 1) * m.tileHeight)
        guard let range = mapping.clip(x: dataX, y: dataY) else { return transparent(width, height) }
        // The source window: the positions' range plus the kernel's reach.
        let margin = Int((Resampler.radius(interpolation) * min(max(range.widening, 1), Resampler.maxWidening)).rounded(.up)) + 1
        let wx0 = max(Int(range.x.lowerBound.rounded(.down)) - margin, Int(dataX.lowerBound))
        let wx1 = min(Int(range.x.upperBound.rounded(.up)) + margin, Int(dataX.upperBound))
        let wy0 = max(Int(range.y.lowerBound.rounded(.down)) - margin, Int(dataY.lowerBound))
        let wy1 = min(Int(range.y.upperBound.rounded(.up)) + margin, Int(dataY.upperBound))
        guard wx0 < wx1, wy0 < wy1 else { return transparent(width, height) }
        let cols = (wx0 / m.tileWidth)...((wx1 - 1) / m.tileWidth), rows = (wy0 / m.tileHeight)...((wy1 - 1) / m.tileHeight)
        guard cols.count * rows.count <= maxTiles else {
            throw OGCError(.invalidParameterValue, locator: "BBOX", "The request covers too many tiles of the pyramid")
        }
        var tiles: [(col: Int, row: Int, image: RasterImage)] = []
        for r in rows {
            for c in cols {
                guard let data = try level.reader.readTileCached(level: level.level.id, col: c, row: r) else { continue }
                tiles.append((c, r, try decoded.image(of: data)))
            }
        }
        // RGB when the tiles are all there and opaque, and every output pixel has a position in the data.
        let complete = tiles.count == cols.count * rows.count
        let opaque = complete && tiles.allSatisfy { $0.image.channels == 3 } && !mapping.hasGaps
        let window = Self.window(tiles, x: wx0..<wx1, y: wy0..<wy1, tileWidth: m.tileWidth, tileHeight: m.tileHeight,
                                 channels: opaque ? 3 : 4, complete: complete)
        mapping.offset(x: Double(wx0), y: Double(wy0))
        return Resampler.resample(window, mapping, width: width, height: height, kernel: interpolation)
    }

    /// Raster layers' images composed bottom first; an opaque one hides what is under it. RGB when the result
    /// is opaque, else RGBA with premultiplied alpha.
    static func compose(_ images: [RasterImage], width: Int, height: Int) -> RasterImage {
        var image: RasterImage?
        for img in images {
            guard let under = image, img.channels == 4 else { image = img; continue }
            var composed = under.toRGBA()   // RGB under is opaque: its RGBA is the same premultiplied or not
            composed.drawPremultiplied(img)
            image = composed
        }
        return image ?? transparent(width, height)
    }

    /// A raster layer has one style, `default` (`normal` as ROK4 names it; empty for the default).
    static func checkStyle(_ style: String, of layer: TileLayer) throws(OGCError) {
        guard ["", "default", "normal"].contains(style.lowercased()) else {
            throw OGCError(.styleNotDefined, locator: "STYLES", "Style \(style) is not defined for layer \(layer.name)")
        }
    }

    static func transparent(_ width: Int, _ height: Int) -> RasterImage {
        RasterImage(width: width, height: height, channels: 4, fill: [0, 0, 0, 0])
    }

    /// Where each output pixel centre falls in the level's pixel grid.
    static func pixelMapping(_ t: CoordinateTransformer, bbox: BBox, width: Int, height: Int, matrix m: TileMatrix) throws -> PixelMapping {
        let resX = bbox.width / Double(width), resY = bbox.height / Double(height)
        func centre(_ px: Int, _ py: Int) -> Coord { Coord(bbox.minX + (Double(px) + 0.5) * resX, bbox.maxY - (Double(py) + 0.5) * resY) }
        var grid = PixelGrid(width: width, height: height, step: 16)
        var nodes: [Coord] = []
        nodes.reserveCapacity(grid.xs.count)
        for ny in grid.nodeYs { for nx in grid.nodeXs { nodes.append(centre(nx, ny)) } }
        try t.transform(inPlace: &nodes)
        for (i, p) in nodes.enumerated() where p.x.isFinite && p.y.isFinite {
            grid.xs[i] = (p.x - m.originX) / m.cellSize
            grid.ys[i] = (m.originY - p.y) / m.cellSize
        }
        // Separable when x does not move down a node column nor y along a node row (by 1/100 pixel).
        let gw = grid.nodeXs.count
        var separable = grid.xs.allSatisfy(\.isFinite)
        for i in 0..<grid.xs.count where separable {
            let top = i % gw, left = i - i % gw
            separable = abs(grid.xs[i] - grid.xs[top]) < 0.01 && abs(grid.ys[i] - grid.ys[left]) < 0.01
        }
        guard separable else { return .grid(grid) }
        var row = (0..<width).map { centre($0, height / 2) }, column = (0..<height).map { centre(width / 2, $0) }
        try t.transform(inPlace: &row)
        try t.transform(inPlace: &column)
        return .separable(xs: row.map { ($0.x - m.originX) / m.cellSize }, ys: column.map { (m.originY - $0.y) / m.cellSize })
    }

    /// The tiles copied into one image covering `x`×`y` of the level's pixels; missing tiles are transparent
    /// (`channels` 4, premultiplied).
    /// `complete`: every tile under the window is in `tiles`.
    static func window(_ tiles: [(col: Int, row: Int, image: RasterImage)], x: Range<Int>, y: Range<Int>,
                       tileWidth tw: Int, tileHeight th: Int, channels ch: Int, complete: Bool) -> RasterImage {
        let w = x.count, h = y.count
        // Cleared only when some pixel may stay uncovered (a missing or partial tile): else every byte is written.
        let covered = complete && tiles.allSatisfy { $0.image.width >= tw && $0.image.height >= th }
        var out = covered ? [UInt8](unsafeUninitializedCapacity: w * h * ch) { _, n in n = w * h * ch }
                          : [UInt8](repeating: 0, count: w * h * ch)
        out.withUnsafeMutableBufferPointer { dst in
            for t in tiles {
                let tx0 = t.col * tw, ty0 = t.row * th
                let x0 = max(x.lowerBound, tx0), x1 = min(x.upperBound, tx0 + min(tw, t.image.width))
                let y0 = max(y.lowerBound, ty0), y1 = min(y.upperBound, ty0 + min(th, t.image.height))
                guard x0 < x1, y0 < y1 else { continue }
                let sch = t.image.channels
                t.image.pixels.withUnsafeBufferPointer { src in
                    for yy in y0..<y1 {
                        let s = src.baseAddress! + ((yy - ty0) * t.image.width + (x0 - tx0)) * sch
                        let d = dst.baseAddress! + ((yy - y.lowerBound) * w + (x0 - x.lowerBound)) * ch
                        if sch == ch {
                            d.update(from: s, count: (x1 - x0) * ch)
                        } else {  // RGB tile in an RGBA window
                            for i in 0..<(x1 - x0) {
                                d[i * 4] = s[i * 3]; d[i * 4 + 1] = s[i * 3 + 1]; d[i * 4 + 2] = s[i * 3 + 2]; d[i * 4 + 3] = 255
                            }
                        }
                    }
                }
            }
        }
        return RasterImage(width: w, height: h, channels: ch, pixels: out)
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
