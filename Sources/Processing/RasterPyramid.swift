import CGDAL
import Config
import Foundation
import PyramidWriter
import TileStore

/// `passerelle pyramid raster`: georeferenced images → a ROK4 raster pyramid in a config directory.
public struct RasterPyramidOptions: Sendable {
    public var inputs: [String]
    public var configDirectory: String
    public var name: String
    public var tms: String
    public var bottomLevel: String
    public var topLevel: String?
    public var format: TileFormat = .jpgUInt8
    /// nearest, linear, bicubic, lanczos (descriptor `interpolation`: nn, linear, bicubic, lanczos).
    public var resampling: String = "bicubic"
    public var nodata: [Int]?
    public var channels: Int?
    public var inputCRS: String?
    public var masks = false
    public var tilesPerWidth = 16
    public var tilesPerHeight = 16
    public var pathDepth = 2
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    public var title: String?
    public var quiet = false
    /// Update by reference: a new pyramid where the slabs the inputs touch are rebuilt (the inputs over the
    /// previous pyramid's tiles) and the others are symbolic links to the previous pyramid's slabs.
    public var updateFrom: String?

    public init(inputs: [String], configDirectory: String, name: String, tms: String, bottomLevel: String) {
        self.inputs = inputs; self.configDirectory = configDirectory; self.name = name; self.tms = tms
        self.bottomLevel = bottomLevel
    }
}

public struct PyramidBuildReport: Sendable {
    public var levels: [String]
    public var slabsWritten = 0
    public var slabsSkipped = 0
    public var slabsLinked = 0
    public var tilesWritten = 0
    public var pixels = 0
    public var seconds = 0.0
    public var descriptorPath = ""
}

/// The source images: files, folders (their images) and lists (`.txt`/`.list`, one path a line).
enum InputFiles {
    static let imageExtensions: Set<String> = ["tif", "tiff", "jp2", "jpg", "jpeg", "png", "vrt", "img", "ecw", "webp"]

    static func expand(_ inputs: [String]) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for i in inputs {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: i, isDirectory: &isDir) else { throw ProcessingError.input(i, "no such file or directory") }
            if isDir.boolValue {
                let items = try fm.contentsOfDirectory(atPath: i).sorted()
                out += items.filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                    .map { (i as NSString).appendingPathComponent($0) }
            } else if ["txt", "list", "lst"].contains((i as NSString).pathExtension.lowercased()) {
                let base = (i as NSString).deletingLastPathComponent
                let text = try String(contentsOfFile: i, encoding: .utf8)
                for l in text.split(whereSeparator: \.isNewline) {
                    let p = l.trimmingCharacters(in: .whitespaces)
                    if p.isEmpty || p.hasPrefix("#") { continue }
                    out.append(p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p))
                }
            } else {
                out.append(i)
            }
        }
        guard !out.isEmpty else { throw ProcessingError.invalid("no input image found in \(inputs.joined(separator: " "))") }
        return out
    }
}

/// What the inputs hold, checked once before any slab is made.
struct SourceInfo {
    var files: [String]
    var dataBands: Int
    var hasAlpha: Bool
    var bbox: BBox          // in the TMS CRS
    var crsOverride: String?
    /// Bands that are not 8-bit: a FLOAT32 pyramid (elevations…).
    var float = false
}

public enum RasterPyramidBuilder {
    static func gdalResampling(_ r: String) throws -> (warp: String, descriptor: String) {
        switch r.lowercased() {
        case "nearest", "nn", "near": ("near", "nn")
        case "linear", "bilinear": ("bilinear", "linear")
        case "bicubic", "cubic": ("cubic", "bicubic")
        case "lanczos": ("lanczos", "lanczos")
        default: throw ProcessingError.invalid("unknown resampling \(r) (nearest, linear, bicubic, lanczos)")
        }
    }

    /// Opens every input, checks it is georeferenced and 8-bit, and computes the union of their bboxes in the
    /// TMS CRS.
    static func inspect(files: [String], crsOverride: String?, target: SpatialRef) throws -> SourceInfo {
        _ = GDAL.registered
        var bbox: BBox?
        var bands: Int?
        var float: Bool?
        var alpha = false
        let override = try crsOverride.map { try SpatialRef(userInput: $0) }
        for f in files {
            guard let ds = GDALOpenEx(f, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else {
                throw ProcessingError.input(f, "unreadable: \(GDAL.lastError())")
            }
            defer { GDALClose(ds) }
            var gt = [Double](repeating: 0, count: 6)
            let hasGT = gt.withUnsafeMutableBufferPointer { GDALGetGeoTransform(ds, $0.baseAddress) } == CE_None
            guard hasGT, gt != [0, 1, 0, 0, 0, 1] else {
                throw ProcessingError.input(f, "no georeferencing (no geotransform in the file and no world file beside it)")
            }
            let srs: SpatialRef
            if let override { srs = override } else {
                guard let h = GDALGetSpatialRef(ds) else {
                    throw ProcessingError.input(f, "no CRS (give one with --input-crs, e.g. EPSG:2154)")
                }
                srs = SpatialRef(cloning: h)
            }
            let n = Int(GDALGetRasterCount(ds))
            guard n >= 1 else { throw ProcessingError.input(f, "no raster band") }
            let last = GDALGetRasterBand(ds, Int32(n))
            let a = n > 1 && GDALGetRasterColorInterpretation(last) == GCI_AlphaBand
            let isFloat = (1...n).contains { GDALGetRasterDataType(GDALGetRasterBand(ds, Int32($0))) != GDT_Byte }
            if let float, float != isFloat { throw ProcessingError.input(f, "mixes 8-bit and non-8-bit inputs") }
            float = isFloat
            let d = n - (a ? 1 : 0)
            if let bands, bands != d { throw ProcessingError.input(f, "has \(d) bands where the first input has \(bands)") }
            bands = d; alpha = alpha || a
            let w = Double(GDALGetRasterXSize(ds)), h = Double(GDALGetRasterYSize(ds))
            let xs = [gt[0], gt[0] + w * gt[1], gt[0] + h * gt[2], gt[0] + w * gt[1] + h * gt[2]]
            let ys = [gt[3], gt[3] + w * gt[4], gt[3] + h * gt[5], gt[3] + w * gt[4] + h * gt[5]]
            guard let t = srs.transform((xs.min()!, ys.min()!, xs.max()!, ys.max()!), to: target) else {
                throw ProcessingError.input(f, "cannot transform its extent into the tile matrix set's CRS")
            }
            let b = BBox(minX: t.0, minY: t.1, maxX: t.2, maxY: t.3)
            bbox = bbox.map { $0.union(b) } ?? b
        }
        return SourceInfo(files: files, dataBands: bands ?? 0, hasAlpha: alpha, bbox: bbox!, crsOverride: crsOverride,
                          float: float ?? false)
    }

    public static func build(_ options: RasterPyramidOptions) throws -> PyramidBuildReport {
        var o = options
        let t0 = Date()
        _ = GDAL.registered
        guard TileCodec.supported.contains(o.format) else {
            throw ProcessingError.invalid("compression \(o.format.rawValue) is not supported (jpg, jpg90, png, zip, raw)")
        }
        guard !o.name.isEmpty, !o.name.contains("/"), !o.name.hasPrefix(".") else { throw ProcessingError.invalid("invalid pyramid name \(o.name)") }
        guard o.tilesPerWidth > 0, o.tilesPerHeight > 0, o.tilesPerWidth * o.tilesPerHeight > 1 else {
            throw ProcessingError.invalid("slabs must hold at least 2 tiles (the rok4 reader refuses 1x1 slabs)")
        }
        let layout = PyramidLayout(configDirectory: o.configDirectory, name: o.name, pathDepth: o.pathDepth)
        let tmsURL = URL(fileURLWithPath: layout.tileMatrixSetsDirectory).appendingPathComponent(o.tms + ".json")
        let tms = try TileMatrixSet.load(tmsURL)
        let target = try SpatialRef(userInput: tms.crs)
        let resampling = try gdalResampling(o.resampling)
        let files = try InputFiles.expand(o.inputs)
        let src = try inspect(files: files, crsOverride: o.inputCRS, target: target)
        if src.float {
            // Non-8-bit inputs (elevations…) make FLOAT32 pyramids, deflate or raw.
            switch o.format {
            case .zipUInt8, .zipFloat32: o.format = .zipFloat32
            case .rawUInt8, .rawFloat32: o.format = .rawFloat32
            default: throw ProcessingError.invalid("\(files[0]): non-8-bit bands make FLOAT32 pyramids: use --compression zip or raw")
            }
            guard !src.hasAlpha, o.channels == nil || o.channels == src.dataBands else {
                throw ProcessingError.invalid("FLOAT32 pyramids keep the inputs' bands, without alpha")
            }
            guard o.updateFrom == nil else { throw ProcessingError.invalid("--update-from is for 8-bit pyramids for now") }
        }

        // Channels and nodata.
        let channels: Int
        if src.float { channels = src.dataBands } else if let c = o.channels { channels = c } else if o.format == .jpgUInt8 || o.format == .jpg90UInt8 { channels = 3 } else {
            channels = min(src.dataBands, 3) == 2 ? 1 + (src.hasAlpha ? 1 : 0) : min(src.dataBands, 3) + (src.hasAlpha ? 1 : 0)
        }
        guard (1...4).contains(channels) else { throw ProcessingError.invalid("channels must be 1 to 4") }
        if (o.format == .jpgUInt8 || o.format == .jpg90UInt8) && channels != 3 {
            throw ProcessingError.invalid("JPEG pyramids hold 3 channels (RGB)")
        }
        let alphaOut = channels == 2 || channels == 4
        let nodata = o.nodata ?? (src.float ? Array(repeating: -99999, count: channels)
            : alphaOut ? Array(repeating: 255, count: channels - 1) + [0] : Array(repeating: 255, count: channels))
        guard nodata.count == channels, src.float || nodata.allSatisfy({ (0...255).contains($0) }) else {
            throw ProcessingError.invalid("--nodata needs \(channels) values\(src.float ? "" : " from 0 to 255")")
        }

        let (previous, plans) = try planLevels(tms: tms, bbox: src.bbox, bottom: o.bottomLevel, top: o.topLevel,
                                               tilesPerWidth: o.tilesPerWidth, tilesPerHeight: o.tilesPerHeight,
                                               updateFrom: o.updateFrom, name: o.name, layout: layout, format: o.format,
                                               channels: channels)
        let progress = ProgressReporter(label: "pyramid raster \(o.name)", quiet: o.quiet)
        progress.line("pyramid raster \(o.name): \(files.count) input(s), \(src.dataBands) band(s)\(src.hasAlpha ? " + alpha" : ""), "
                      + "bbox \(src.bbox) in \(tms.crs); levels \(plans.first!.id)–\(plans.last!.id) of \(tms.id); \(o.format.rawValue), "
                      + "\(channels) channel(s), \(max(1, o.jobs)) job(s)")
        removeTemporaries(in: layout.pyramidsDirectory + "/\(o.name)")

        let photometric = src.float || channels <= 2 ? "gray" : "rgb"
        var ctx = BuildContext(layout: layout, format: o.format, channels: channels, nodata: nodata, masks: o.masks,
                               photometric: photometric, src: src, warpResampling: resampling.warp,
                               nearest: resampling.warp == "near", targetWKT: target.wkt)
        ctx.previous = previous
        var report = PyramidBuildReport(levels: plans.map(\.id))
        let bottomID = plans.last!.id
        let shared = ctx
        let factory: SlabMakerFactory
        if src.float { factory = { try FloatSlabWarper(ctx: shared) } } else { factory = { try SlabWarper(ctx: shared) } }
        let stats = try runLevels(plans: plans, ctx: ctx, jobs: o.jobs, progress: progress) { plan in
            plan.id == bottomID ? factory : nil
        }
        let descriptor = DescriptorDocument(
            name: o.name, format: o.format, tms: tms.id, levels: plans, pathDepth: o.pathDepth,
            raster: .init(channels: channels, nodata: nodata, photometric: photometric, interpolation: resampling.descriptor),
            masks: o.masks)
        let compression: String = switch o.format {
        case .jpgUInt8: "JPG"
        case .jpg90UInt8: "JPG90"
        case .pngUInt8: "PNG"
        case .zipUInt8, .zipFloat32: "ZIP"
        default: "RAW"
        }
        let sd = StoredDataDocument.pyramid(name: o.name, title: o.title, vector: false, tms: tms.id, srs: tms.crs,
                                            levels: plans.map(\.id), channelsFormat: src.float ? "FLOAT32" : "UINT8", channels: channels,
                                            compression: compression, nodata: nodata.map(String.init).joined(separator: ","))
        try layout.finish(descriptor: descriptor, levels: plans, masks: o.masks, storedData: sd, previous: o.updateFrom)
        report.slabsLinked = stats.linked
        report.slabsWritten = stats.written; report.slabsSkipped = stats.skipped; report.tilesWritten = stats.tiles
        report.pixels = stats.pixels
        report.seconds = Date().timeIntervalSince(t0)
        report.descriptorPath = layout.descriptorPath
        progress.line(String(format: "pyramid raster %@: %d slabs written, %d linked to %@, %d already done, %d tiles, %.1f Mpx in %.1f s → %@",
                             o.name, report.slabsWritten, report.slabsLinked, o.updateFrom ?? "-", report.slabsSkipped, report.tilesWritten,
                             Double(report.pixels) / 1e6, report.seconds, layout.descriptorPath))
        return report
    }

    /// The levels to build, and the previous pyramid of an update by reference: the levels then cover the
    /// previous pyramid's ground as well as the new data, with its slab size.
    static func planLevels(tms: TileMatrixSet, bbox: BBox, bottom: String, top: String?, tilesPerWidth: Int, tilesPerHeight: Int,
                           updateFrom: String?, name: String, layout: PyramidLayout, format: TileFormat,
                           channels: Int) throws -> (PreviousPyramid?, [LevelPlan]) {
        var previous: PreviousPyramid?
        var tpw = tilesPerWidth, tph = tilesPerHeight
        if let old = updateFrom {
            guard old != name else { throw ProcessingError.invalid("--update-from names the pyramid being built") }
            let p = try Pyramid.load(descriptor: layout.pyramidsDirectory + "/\(old).json")
            guard p.format == format, p.tileMatrixSetID == tms.id, p.raster?.channels == channels else {
                throw ProcessingError.invalid("--update-from \(old): it is \(p.format.rawValue) in \(p.tileMatrixSetID) with \(p.raster?.channels ?? 0) channels; "
                                              + "the update must use the same compression, tile matrix set and channels")
            }
            guard let l0 = p.levels.first else { throw ProcessingError.invalid("--update-from \(old): no level") }
            tpw = l0.tilesPerWidth; tph = l0.tilesPerHeight
            previous = PreviousPyramid(pyramid: p)
        }
        var cover = bbox
        if let p = previous?.pyramid,
           let finest = p.levels.compactMap({ l in tms.matrix(l.id).map { (l, $0) } }).min(by: { $0.1.cellSize < $1.1.cellSize }) {
            let (l, m) = finest
            let tl = m.bounds(col: l.limits.minCol, row: l.limits.minRow), br = m.bounds(col: l.limits.maxCol, row: l.limits.maxRow)
            cover = cover.union(BBox(minX: tl.minX, minY: br.minY, maxX: br.maxX, maxY: tl.maxY))
        }
        var plans = try LevelPlanner.plan(tms: tms, bbox: cover, bottom: bottom, top: top, tilesPerWidth: tpw, tilesPerHeight: tph)
        if let previous {
            for k in plans.indices {
                guard let l = previous.pyramid.level(plans[k].id) else { continue }
                let a = plans[k].limits, b = l.limits
                plans[k].limits = TileLimits(minCol: min(a.minCol, b.minCol), maxCol: max(a.maxCol, b.maxCol),
                                             minRow: min(a.minRow, b.minRow), maxRow: max(a.maxRow, b.maxRow))
            }
        }
        return (previous, plans)
    }

    /// Makes the slabs of one level from a source (images, a WMS); one maker per worker thread.
    typealias SlabMakerFactory = @Sendable () throws -> any SlabMaker

    /// Builds the levels, finest first: a level is made by `source(plan)` when it gives a maker, else from the
    /// level below (2x2 → 1) when the grids nest, else by the source anyway.
    static func runLevels(plans: [LevelPlan], ctx: BuildContext, jobs: Int, progress: ProgressReporter,
                          source: (LevelPlan) -> SlabMakerFactory?) throws -> Stats {
        let stats = Stats()
        var fallback: SlabMakerFactory?
        var rebuiltBelow = RebuiltSlabs()
        for (k, plan) in plans.enumerated().reversed() {
            let rebuilt = RebuiltSlabs()
            let childrenRebuilt = rebuiltBelow
            let own = source(plan)
            if let own { fallback = own }
            let below: LevelPlan? = own == nil && k + 1 < plans.count && nests(upper: plan.matrix, lower: plans[k + 1].matrix) ? plans[k + 1] : nil
            let factory = below == nil ? (own ?? fallback) : nil
            if below == nil && factory == nil { throw ProcessingError.invalid("no source for level \(plan.id)") }
            let slabs = ctx.selectSlabs(plan)
            progress.begin(level: plan.id, slabs: slabs.count)
            try WorkerPool.run(items: slabs.count, jobs: jobs) { pool, _ in
                let maker = try factory?()
                defer { maker?.close() }
                while let i = pool.next() {
                    let s = slabs[i]
                    if ctx.isDone(level: plan.id, slab: s) {
                        if !ctx.isLink(level: plan.id, slab: s) { rebuilt.insert(s) }
                        stats.add(skipped: 1)
                        progress.advance(skipped: true)
                        continue
                    }
                    if let previous = ctx.previous {
                        // Update by reference: untouched slabs link to the previous pyramid's.
                        let touched: Bool
                        if let below {
                            touched = [(0, 0), (1, 0), (0, 1), (1, 1)].contains { dx, dy in
                                childrenRebuilt.contains(SlabKey(col: (2 * s.col * plan.tilesPerWidth + dx * plan.tilesPerWidth) / below.tilesPerWidth,
                                                                 row: (2 * s.row * plan.tilesPerHeight + dy * plan.tilesPerHeight) / below.tilesPerHeight))
                            }
                        } else {
                            touched = plan.bounds(of: s).intersects(ctx.src.bbox)
                        }
                        if !touched {
                            if try ctx.link(plan: plan, slab: s, to: previous) {
                                stats.add(linked: 1)
                                progress.advance()
                                continue
                            }
                            // A level the previous pyramid lacks is made from below as in a new build.
                            if below == nil { progress.advance(); continue }
                        }
                        rebuilt.insert(s)
                    }
                    let tiles: [[UInt8]?], masks: [[UInt8]?]
                    if let below {
                        (tiles, masks) = ctx.src.float ? try ctx.fromBelowFloat(plan: plan, below: below, slab: s)
                            : try ctx.fromBelow(plan: plan, below: below, slab: s)
                    } else {
                        (tiles, masks) = try maker!.slab(plan: plan, slab: s)
                    }
                    try ctx.write(plan: plan, slab: s, tiles: tiles, masks: masks)
                    let n = tiles.count { $0 != nil }
                    stats.add(written: n > 0 ? 1 : 0, tiles: n, pixels: n * plan.matrix.tileWidth * plan.matrix.tileHeight)
                    progress.advance()
                }
            }
            rebuiltBelow = rebuilt
        }
        return stats
    }

    /// Whether `upper` tiles are 2x2 `lower` tiles (same origin and tile size, twice the resolution).
    static func nests(upper: TileMatrix, lower: TileMatrix) -> Bool {
        // Pixel i of the upper level and pixel 2i of the lower one drift apart by i·(res - 2·res'): the levels
        // nest when that stays under 1/20 pixel across the whole matrix (LAMB93's fine levels do, its coarse
        // ones do not).
        let tol = 1e-6 * upper.cellSize
        let drift = abs(upper.cellSize - 2 * lower.cellSize) * Double(upper.tileWidth * max(upper.matrixWidth, upper.matrixHeight))
        return drift < 0.05 * upper.cellSize && abs(upper.originX - lower.originX) < tol
            && abs(upper.originY - lower.originY) < tol && upper.tileWidth == lower.tileWidth && upper.tileHeight == lower.tileHeight
            && upper.tileWidth % 2 == 0 && upper.tileHeight % 2 == 0
    }

    /// Leftovers of an interrupted build (`.NAME.tmp-…` files) are removed before resuming.
    static func removeTemporaries(in dir: String) {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return }
        for case let rel as String in e where (rel as NSString).lastPathComponent.hasPrefix(".") && rel.contains(".tmp-") {
            try? FileManager.default.removeItem(atPath: dir + "/" + rel)
        }
    }
}

final class Stats: @unchecked Sendable {
    private let lock = NSLock()
    var written = 0, skipped = 0, tiles = 0, pixels = 0, linked = 0
    func add(written w: Int = 0, skipped s: Int = 0, tiles t: Int = 0, pixels p: Int = 0, linked l: Int = 0) {
        lock.lock(); written += w; skipped += s; tiles += t; pixels += p; linked += l; lock.unlock()
    }
}

/// The slabs of a level rebuilt by an update (their parents are rebuilt too).
final class RebuiltSlabs: @unchecked Sendable {
    private let lock = NSLock()
    private var set: Set<SlabKey> = []
    func insert(_ k: SlabKey) { lock.lock(); set.insert(k); lock.unlock() }
    func contains(_ k: SlabKey) -> Bool { lock.lock(); defer { lock.unlock() }; return set.contains(k) }
}

/// The pyramid an update starts from.
struct PreviousPyramid: Sendable {
    let pyramid: Pyramid

    /// The previous slab's path, when that level and slab exist there.
    func slabPath(level: String, slab: SlabKey, mask: Bool) -> String? {
        guard let l = pyramid.level(level), l.tilesPerWidth > 0, case .file(var dir, let depth) = l.storage else { return nil }
        if mask {
            guard pyramid.maskFormat != nil else { return nil }
            dir = dir.replacingOccurrences(of: "/DATA/", with: "/MASK/")
        }
        let p = dir + "/" + SlabPath.file(slabCol: slab.col, slabRow: slab.row, depth: depth)
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    /// The previous tile (col, row) of a level (or its mask), encoded; nil when absent.
    func tile(level: String, col: Int, row: Int, mask: Bool = false) -> [UInt8]? {
        guard let l = pyramid.level(level), l.limits.contains(col: col, row: row),
              let p = slabPath(level: level, slab: SlabKey(col: col / l.tilesPerWidth, row: row / l.tilesPerHeight), mask: mask),
              let d = FileManager.default.contents(atPath: p),
              let t = SlabEncoder.decode(Array(d), tiles: l.tilesPerSlab) else { return nil }
        return t[(row % l.tilesPerHeight) * l.tilesPerWidth + col % l.tilesPerWidth]
    }
}

/// What every slab job of one build shares.
struct BuildContext: Sendable {
    let layout: PyramidLayout
    let format: TileFormat
    let channels: Int
    let nodata: [Int]
    let masks: Bool
    let photometric: String
    let src: SourceInfo
    let warpResampling: String
    let nearest: Bool
    let targetWKT: String

    /// The pyramid an update starts from (`--update-from`).
    var previous: PreviousPyramid? = nil

    /// Where the new pixels (data bands + alpha) have no data, the previous pyramid's pixels stay.
    func keepPrevious(in tile: inout [UInt8], bands: Int, level: String, col: Int, row: Int, m: TileMatrix) throws {
        guard let previous, let old = previous.tile(level: level, col: col, row: row) else { return }
        let px = try codec(m).decode(old)
        let ch = channels, colours = alphaOut ? ch - 1 : ch
        for p in 0..<(m.tileWidth * m.tileHeight) where tile[p * bands + bands - 1] == 0 {
            for c in 0..<(bands - 1) { tile[p * bands + c] = px[p * ch + min(c, colours - 1)] }
            tile[p * bands + bands - 1] = alphaOut ? px[p * ch + ch - 1] : 255
        }
    }

    func isLink(level: String, slab: SlabKey) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: layout.slabPath(level: level, slab: slab))) != nil
    }

    /// Links the slab (and its mask) to the previous pyramid's, with relative symbolic links; false when the
    /// previous pyramid has no such slab.
    func link(plan: LevelPlan, slab: SlabKey, to previous: PreviousPyramid) throws -> Bool {
        guard let target = previous.slabPath(level: plan.id, slab: slab, mask: false) else { return false }
        let mtarget = masks ? previous.slabPath(level: plan.id, slab: slab, mask: true) : nil
        if masks, mtarget == nil { return false }
        for (t, mask) in [(target, false)] + (mtarget.map { [($0, true)] } ?? []) {
            let path = layout.slabPath(level: plan.id, slab: slab, mask: mask)
            let dir = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let tmp = dir + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())-link"
            unlink(tmp)
            guard symlink(relativePath(from: dir, to: t), tmp) == 0, rename(tmp, path) == 0 else {
                throw ProcessingError.invalid("cannot link \(path) to \(t): \(String(cString: strerror(errno)))")
            }
        }
        return true
    }

    private func relativePath(from dir: String, to target: String) -> String {
        let a = URL(fileURLWithPath: dir).standardizedFileURL.pathComponents, b = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        return (Array(repeating: "..", count: a.count - i) + b[i...]).joined(separator: "/")
    }

    /// Restricts the slabs of a level (harvest: those touching the area); nil keeps them all.
    var slabFilter: (@Sendable (LevelPlan, SlabKey) -> Bool)? = nil

    var alphaOut: Bool { channels == 2 || channels == 4 }

    func selectSlabs(_ plan: LevelPlan) -> [SlabKey] {
        guard let slabFilter else { return plan.slabs }
        return plan.slabs.filter { slabFilter(plan, $0) }
    }

    func codec(_ m: TileMatrix) -> TileCodec { TileCodec(format: format, channels: channels, width: m.tileWidth, height: m.tileHeight) }
    func maskCodec(_ m: TileMatrix) -> TileCodec { TileCodec(format: .zipUInt8, channels: 1, width: m.tileWidth, height: m.tileHeight) }

    /// A slab is done when its file (and its mask) exist: they are only ever renamed into place complete.
    func isDone(level: String, slab: SlabKey) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: layout.slabPath(level: level, slab: slab))
            && (!masks || fm.fileExists(atPath: layout.slabPath(level: level, slab: slab, mask: true)))
    }

    /// Writes the slab (and its mask), or nothing when no tile holds data. The mask goes first so that a data
    /// slab on disk always has its mask.
    func write(plan: LevelPlan, slab: SlabKey, tiles: [[UInt8]?], masks maskTiles: [[UInt8]?]) throws {
        guard tiles.contains(where: { $0 != nil }) else { return }
        let m = plan.matrix
        if masks {
            let h = SlabHeader.raster(format: .zipUInt8, channels: 1, photometric: "mask", tilesPerWidth: plan.tilesPerWidth,
                                      tilesPerHeight: plan.tilesPerHeight, tileWidth: m.tileWidth, tileHeight: m.tileHeight)
            try AtomicFile.write(SlabEncoder.encode(header: h, tiles: maskTiles), to: layout.slabPath(level: plan.id, slab: slab, mask: true))
        }
        let h = SlabHeader.raster(format: format, channels: channels, photometric: photometric, tilesPerWidth: plan.tilesPerWidth,
                                  tilesPerHeight: plan.tilesPerHeight, tileWidth: m.tileWidth, tileHeight: m.tileHeight)
        try AtomicFile.write(SlabEncoder.encode(header: h, tiles: tiles), to: layout.slabPath(level: plan.id, slab: slab))
    }

    /// Turns pixels of `bands` interleaved samples (data bands then alpha) into the pyramid's channels, nodata
    /// where alpha is 0; returns nil for a tile with no data, and the mask (255 = data).
    func finishTile(_ px: UnsafeBufferPointer<UInt8>, bands: Int, dataBands: Int, m: TileMatrix) throws -> ([UInt8]?, [UInt8]?) {
        let n = m.tileWidth * m.tileHeight
        var any = false
        for p in 0..<n where px[p * bands + bands - 1] != 0 { any = true; break }
        guard any else { return (nil, nil) }
        var out = [UInt8](repeating: 0, count: n * channels)
        var mask = masks ? [UInt8](repeating: 0, count: n) : []
        let colours = alphaOut ? channels - 1 : channels
        out.withUnsafeMutableBufferPointer { o in
            for p in 0..<n {
                let a = px[p * bands + bands - 1]
                let base = p * channels
                if a == 0 {
                    for c in 0..<channels { o[base + c] = UInt8(nodata[c]) }
                } else {
                    for c in 0..<colours { o[base + c] = px[p * bands + min(c, dataBands - 1)] }
                    if alphaOut { o[base + channels - 1] = a }
                    if masks { mask[p] = 255 }
                }
            }
        }
        return (try codec(m).encode(out), masks ? try maskCodec(m).encode(mask) : nil)
    }

    /// An upper tile from the 2x2 tiles below it (pixel blocks averaged, weighted by data; nearest takes the
    /// top-left pixel of each block), as ROK4's merge4tiff builds a level from the one below.
    func fromBelow(plan: LevelPlan, below: LevelPlan, slab: SlabKey) throws -> ([[UInt8]?], [[UInt8]?]) {
        let m = plan.matrix
        let tw = m.tileWidth, th = m.tileHeight, ch = channels
        let codec = codec(below.matrix), mcodec = maskCodec(below.matrix)
        var slabCache: [SlabKey: [[UInt8]?]] = [:], maskCache: [SlabKey: [[UInt8]?]] = [:]
        func childSlab(_ k: SlabKey, mask: Bool) -> [[UInt8]?] {
            if let c = mask ? maskCache[k] : slabCache[k] { return c }
            let path = layout.slabPath(level: below.id, slab: k, mask: mask)
            var tiles: [[UInt8]?] = Array(repeating: nil, count: below.tilesPerSlab)
            if let d = FileManager.default.contents(atPath: path), let t = SlabEncoder.decode(Array(d), tiles: below.tilesPerSlab) { tiles = t }
            if mask { maskCache[k] = tiles } else { slabCache[k] = tiles }
            return tiles
        }
        var tiles: [[UInt8]?] = [], maskTiles: [[UInt8]?] = []
        for i in 0..<plan.tilesPerSlab {
            let (col, row) = plan.tile(i, of: slab)
            guard plan.limits.contains(col: col, row: row) else { tiles.append(nil); maskTiles.append(nil); continue }
            var out = [UInt8](repeating: 0, count: tw * th * ch)
            var mask = [UInt8](repeating: 0, count: tw * th)
            var anyData = false
            for q in 0..<4 {
                let cc = 2 * col + q % 2, cr = 2 * row + q / 2
                let k = SlabKey(col: cc / below.tilesPerWidth, row: cr / below.tilesPerHeight)
                let idx = (cr % below.tilesPerHeight) * below.tilesPerWidth + cc % below.tilesPerWidth
                let ox = (q % 2) * tw / 2, oy = (q / 2) * th / 2
                var child: [UInt8]? = nil, childMask: [UInt8]? = nil
                if below.limits.contains(col: cc, row: cr), let enc = childSlab(k, mask: false)[idx] {
                    child = try codec.decode(enc)
                    if masks, let me = childSlab(k, mask: true)[idx] { childMask = try mcodec.decode(me) }
                }
                let colours = alphaOut ? ch - 1 : ch
                let nb = nearest ? 1 : 4
                out.withUnsafeMutableBufferPointer { o in
                    for y in 0..<(th / 2) {
                        for x in 0..<(tw / 2) {
                            let op = ((oy + y) * tw + ox + x) * ch
                            guard let child else {
                                for c in 0..<ch { o[op + c] = UInt8(nodata[c]) }
                                continue
                            }
                            var s0 = 0, s1 = 0, s2 = 0, wsum = 0, asum = 0
                            for b in 0..<nb {
                                let p = (2 * y + b / 2) * tw + 2 * x + b % 2
                                let pp = p * ch
                                var w = 1
                                if alphaOut { let a = Int(child[pp + ch - 1]); asum += a; w = a }
                                if let childMask, childMask[p] == 0 { w = 0 }
                                guard w > 0 else { continue }
                                wsum += w
                                s0 += w * Int(child[pp])
                                if colours > 1 { s1 += w * Int(child[pp + 1]); s2 += w * Int(child[pp + 2]) }
                            }
                            if wsum == 0 {
                                for c in 0..<ch { o[op + c] = UInt8(nodata[c]) }
                                continue
                            }
                            anyData = true
                            mask[(oy + y) * tw + ox + x] = 255
                            o[op] = UInt8((s0 + wsum / 2) / wsum)
                            if colours > 1 {
                                o[op + 1] = UInt8((s1 + wsum / 2) / wsum); o[op + 2] = UInt8((s2 + wsum / 2) / wsum)
                            }
                            if alphaOut { o[op + ch - 1] = UInt8((asum + nb / 2) / nb) }
                        }
                    }
                }
            }
            guard anyData else { tiles.append(nil); maskTiles.append(nil); continue }
            tiles.append(try self.codec(m).encode(out))
            maskTiles.append(masks ? try maskCodec(m).encode(mask) : nil)
        }
        return (tiles, maskTiles)
    }
}

/// Warps the source images into the tiles of a slab, one row of tiles at a time (memory: one strip), with a
/// dataset handle per worker thread.
/// Makes the tiles (and masks) of a slab of a level from a source.
protocol SlabMaker {
    func slab(plan: LevelPlan, slab: SlabKey) throws -> ([[UInt8]?], [[UInt8]?])
    func close()
}

/// Opens the input images for reading, one GDAL dataset each; none stays open when one fails.
func openRasterSources(_ files: [String]) throws -> [GDALDatasetH?] {
    var out: [GDALDatasetH?] = []
    for f in files {
        guard let ds = GDALOpenEx(f, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else {
            for s in out { GDALClose(s) }
            throw ProcessingError.input(f, "unreadable: \(GDAL.lastError())")
        }
        out.append(ds)
    }
    return out
}

final class SlabWarper: SlabMaker {
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
        let m = plan.matrix
        var tiles = [[UInt8]?](repeating: nil, count: plan.tilesPerSlab)
        var masks = [[UInt8]?](repeating: nil, count: plan.tilesPerSlab)
        let bands = ctx.src.dataBands + 1
        if let previous = ctx.previous {
            // An update keeps the previous tiles the new images do not reach.
            for i in 0..<plan.tilesPerSlab {
                let (c, r) = plan.tile(i, of: s)
                guard plan.limits.contains(col: c, row: r) else { continue }
                tiles[i] = previous.tile(level: plan.id, col: c, row: r)
                if ctx.masks, tiles[i] != nil { masks[i] = previous.tile(level: plan.id, col: c, row: r, mask: true) }
            }
        }
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
            let px = try warp(strip, width: w, height: h, bands: bands, cellSize: m.cellSize)
            // Cut the strip into tiles.
            var tile = [UInt8](repeating: 0, count: m.tileWidth * m.tileHeight * bands)
            for c in c0...c1 {
                if ctx.previous != nil {
                    let tb = m.bounds(col: c, row: row)
                    if !BBox(minX: tb.minX, minY: tb.minY, maxX: tb.maxX, maxY: tb.maxY).intersects(ctx.src.bbox) { continue }
                }
                let x0 = (c - c0) * m.tileWidth
                for y in 0..<h {
                    let srcOff = (y * w + x0) * bands, dstOff = y * m.tileWidth * bands
                    for k in 0..<(m.tileWidth * bands) { tile[dstOff + k] = px[srcOff + k] }
                }
                try ctx.keepPrevious(in: &tile, bands: bands, level: plan.id, col: c, row: row, m: m)
                let (t, mk) = try tile.withUnsafeBufferPointer {
                    try ctx.finishTile($0, bands: bands, dataBands: ctx.src.dataBands, m: m)
                }
                let i = j * plan.tilesPerWidth + (c - s.col * plan.tilesPerWidth)
                tiles[i] = t; masks[i] = mk
            }
        }
        return (tiles, masks)
    }

    /// GDALWarp of every source into a MEM dataset of the strip (data bands + alpha), read back interleaved.
    private func warp(_ b: BBox, width: Int, height: Int, bands: Int, cellSize: Double) throws -> [UInt8] {
        guard let drv = GDALGetDriverByName("MEM"),
              let dst = GDALCreate(drv, "", Int32(width), Int32(height), Int32(bands), GDT_Byte, nil) else {
            throw ProcessingError.gdal("cannot create an in-memory raster: \(GDAL.lastError())")
        }
        defer { GDALClose(dst) }
        var gt = [b.minX, cellSize, 0, b.maxY, 0, -cellSize]
        _ = gt.withUnsafeMutableBufferPointer { GDALSetGeoTransform(dst, $0.baseAddress) }
        GDALSetProjection(dst, ctx.targetWKT)
        GDALSetRasterColorInterpretation(GDALGetRasterBand(dst, Int32(bands)), GCI_AlphaBand)
        var args = ["-r", ctx.warpResampling, "-dstalpha", "-wo", "INIT_DEST=0", "-wm", "64", "-q"]
        if let c = ctx.src.crsOverride { args += ["-s_srs", c] }
        var argv = CStringList(args)
        defer { argv.free() }
        guard let opts = argv.with({ GDALWarpAppOptionsNew($0, nil) }) else { throw ProcessingError.gdal("bad warp options") }
        defer { GDALWarpAppOptionsFree(opts) }
        var usage: Int32 = 0
        let r = sources.withUnsafeMutableBufferPointer { s in
            GDALWarp(nil, dst, Int32(s.count), s.baseAddress, opts, &usage)
        }
        guard r != nil else { throw ProcessingError.gdal("warp failed: \(GDAL.lastError())") }
        var out = [UInt8](repeating: 0, count: width * height * bands)
        var bandMap = (1...bands).map { Int32($0) }
        let err = out.withUnsafeMutableBytes { raw in
            bandMap.withUnsafeMutableBufferPointer { bm in
                GDALDatasetRasterIO(dst, GF_Read, 0, 0, Int32(width), Int32(height), raw.baseAddress, Int32(width), Int32(height),
                                    GDT_Byte, Int32(bands), bm.baseAddress, Int32(bands), Int32(width * bands), 1)
            }
        }
        guard err == CE_None else { throw ProcessingError.gdal("cannot read the warped pixels: \(GDAL.lastError())") }
        return out
    }
}
