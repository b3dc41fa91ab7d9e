import CGDAL
import Foundation
import PyramidWriter
import TileStore

/// FLOAT32 pyramids (elevations…): warped as float32 with the nodata value as `-dstnodata`, tiles with only
/// nodata not written, upper levels averaged over the data pixels of the 2x2 below.
final class FloatSlabWarper: SlabMaker {
    let ctx: BuildContext
    var sources: [GDALDatasetH?] = []

    init(ctx: BuildContext) throws {
        self.ctx = ctx
        sources = try openRasterSources(ctx.src.files)
    }

    func close() {
        for s in sources { GDALClose(s) }
        sources = []
    }

    func slab(plan: LevelPlan, slab s: SlabKey) throws -> ([[UInt8]?], [[UInt8]?]) {
        let m = plan.matrix, ch = ctx.channels
        var tiles = [[UInt8]?](repeating: nil, count: plan.tilesPerSlab), masks = tiles
        for j in 0..<plan.tilesPerHeight {
            let row = s.row * plan.tilesPerHeight + j
            guard row >= plan.limits.minRow, row <= plan.limits.maxRow else { continue }
            let c0 = max(s.col * plan.tilesPerWidth, plan.limits.minCol)
            let c1 = min(s.col * plan.tilesPerWidth + plan.tilesPerWidth - 1, plan.limits.maxCol)
            guard c0 <= c1 else { continue }
            let left = m.bounds(col: c0, row: row), right = m.bounds(col: c1, row: row)
            let strip = BBox(minX: left.minX, minY: left.minY, maxX: right.maxX, maxY: left.maxY)
            guard strip.intersects(ctx.src.bbox) else { continue }
            let w = (c1 - c0 + 1) * m.tileWidth, h = m.tileHeight
            let px = try warp(strip, width: w, height: h, cellSize: m.cellSize)
            for c in c0...c1 {
                var tile = [Float](repeating: 0, count: m.tileWidth * m.tileHeight * ch)
                let x0 = (c - c0) * m.tileWidth
                for y in 0..<h {
                    for k in 0..<(m.tileWidth * ch) { tile[y * m.tileWidth * ch + k] = px[(y * w + x0) * ch + k] }
                }
                let i = j * plan.tilesPerWidth + (c - s.col * plan.tilesPerWidth)
                (tiles[i], masks[i]) = try ctx.finishFloatTile(tile, m: m)
            }
        }
        return (tiles, masks)
    }

    private func warp(_ b: BBox, width: Int, height: Int, cellSize: Double) throws -> [Float] {
        let ch = ctx.channels
        guard let drv = GDALGetDriverByName("MEM"),
              let dst = GDALCreate(drv, "", Int32(width), Int32(height), Int32(ch), GDT_Float32, nil) else {
            throw ProcessingError.gdal("cannot create an in-memory raster: \(GDAL.lastError())")
        }
        defer { GDALClose(dst) }
        var gt = [b.minX, cellSize, 0, b.maxY, 0, -cellSize]
        _ = gt.withUnsafeMutableBufferPointer { GDALSetGeoTransform(dst, $0.baseAddress) }
        GDALSetProjection(dst, ctx.targetWKT)
        // The warper skips the chunks no source reaches, leaving them as they are: nodata, not 0.
        for b in 1...ch { GDALFillRaster(GDALGetRasterBand(dst, Int32(b)), Double(ctx.nodata[b - 1]), 0) }
        let nd = ctx.nodata.map(String.init).joined(separator: " ")
        var args = ["-r", ctx.warpResampling, "-dstnodata", nd, "-wo", "INIT_DEST=NO_DATA", "-wm", "64", "-q"]
        if let c = ctx.src.crsOverride { args += ["-s_srs", c] }
        var argv = CStringList(args)
        defer { argv.free() }
        guard let opts = argv.with({ GDALWarpAppOptionsNew($0, nil) }) else { throw ProcessingError.gdal("bad warp options") }
        defer { GDALWarpAppOptionsFree(opts) }
        var usage: Int32 = 0
        let r = sources.withUnsafeMutableBufferPointer { GDALWarp(nil, dst, Int32($0.count), $0.baseAddress, opts, &usage) }
        guard r != nil else { throw ProcessingError.gdal("warp failed: \(GDAL.lastError())") }
        var out = [Float](repeating: 0, count: width * height * ch)
        var bandMap = (1...ch).map { Int32($0) }
        let err = out.withUnsafeMutableBytes { raw in
            bandMap.withUnsafeMutableBufferPointer { bm in
                GDALDatasetRasterIO(dst, GF_Read, 0, 0, Int32(width), Int32(height), raw.baseAddress, Int32(width), Int32(height),
                                    GDT_Float32, Int32(ch), bm.baseAddress, Int32(4 * ch), Int32(4 * width * ch), 4)
            }
        }
        guard err == CE_None else { throw ProcessingError.gdal("cannot read the warped pixels: \(GDAL.lastError())") }
        return out
    }
}

extension BuildContext {
    /// A FLOAT32 tile (nil when every sample is nodata) and its mask.
    func finishFloatTile(_ v: [Float], m: TileMatrix) throws -> ([UInt8]?, [UInt8]?) {
        let ch = channels, n = m.tileWidth * m.tileHeight
        let nd = nodata.map(Float.init)
        var mask = [UInt8](repeating: 0, count: masks ? n : 0)
        var any = false
        for p in 0..<n {
            var data = false
            for c in 0..<ch where v[p * ch + c] != nd[c] && !v[p * ch + c].isNaN { data = true }
            if data { any = true; if masks { mask[p] = 255 } }
        }
        guard any else { return (nil, nil) }
        return (try codec(m).encodeFloat(v), masks ? try maskCodec(m).encode(mask) : nil)
    }

    /// An upper FLOAT32 tile from the 2x2 below: the mean of the data samples of each 2x2 block (nearest: the
    /// top-left sample).
    func fromBelowFloat(plan: LevelPlan, below: LevelPlan, slab: SlabKey) throws -> ([[UInt8]?], [[UInt8]?]) {
        let m = plan.matrix, tw = m.tileWidth, th = m.tileHeight, ch = channels
        let codec = codec(below.matrix)
        let nd = nodata.map(Float.init)
        var cache: [SlabKey: [[UInt8]?]] = [:]
        func child(_ cc: Int, _ cr: Int) throws -> [Float]? {
            guard below.limits.contains(col: cc, row: cr) else { return nil }
            let k = SlabKey(col: cc / below.tilesPerWidth, row: cr / below.tilesPerHeight)
            if cache[k] == nil {
                let d = FileManager.default.contents(atPath: layout.slabPath(level: below.id, slab: k))
                cache[k] = d.flatMap { SlabEncoder.decode(Array($0), tiles: below.tilesPerSlab) } ?? Array(repeating: nil, count: below.tilesPerSlab)
            }
            guard let enc = cache[k]![(cr % below.tilesPerHeight) * below.tilesPerWidth + cc % below.tilesPerWidth] else { return nil }
            return try codec.decodeFloat(enc)
        }
        var tiles: [[UInt8]?] = [], maskTiles: [[UInt8]?] = []
        for i in 0..<plan.tilesPerSlab {
            let (col, row) = plan.tile(i, of: slab)
            guard plan.limits.contains(col: col, row: row) else { tiles.append(nil); maskTiles.append(nil); continue }
            var out = [Float](repeating: 0, count: tw * th * ch)
            for p in 0..<(tw * th) { for c in 0..<ch { out[p * ch + c] = nd[c] } }
            for q in 0..<4 {
                guard let kid = try child(2 * col + q % 2, 2 * row + q / 2) else { continue }
                let ox = (q % 2) * tw / 2, oy = (q / 2) * th / 2
                for y in 0..<(th / 2) {
                    for x in 0..<(tw / 2) {
                        for c in 0..<ch {
                            var sum: Float = 0, n: Float = 0
                            for b in 0..<(nearest ? 1 : 4) {
                                let v = kid[((2 * y + b / 2) * tw + 2 * x + b % 2) * ch + c]
                                if v != nd[c] && !v.isNaN { sum += v; n += 1 }
                            }
                            if n > 0 { out[((oy + y) * tw + ox + x) * ch + c] = sum / n }
                        }
                    }
                }
            }
            let (t, mk) = try finishFloatTile(out, m: m)
            tiles.append(t); maskTiles.append(mk)
        }
        return (tiles, maskTiles)
    }
}
