import CGDAL
import Config
import Foundation
import ImageCodec
import PyramidWriter
import TileStore

/// `passerelle pyramid harvest`: a WMS → a ROK4 raster pyramid, with the parameters of the platform's
/// "wms-to-pyramid" processing (harvest_url, harvest_layers, harvest_format, harvest_area, harvest_levels,
/// harvest_dimensions, harvest_extras, harvest_threshold).
public struct HarvestOptions: Sendable {
    public var url: String
    public var layers: String
    /// GetMap FORMAT: image/png, image/jpeg, image/tiff…
    public var imageFormat = "image/jpeg"
    /// WKT of the area, EPSG:4326 lon/lat.
    public var area: String
    /// Levels harvested from the WMS (the others are made from the level below); the finest is the bottom.
    public var harvestLevels: [String] = []
    /// Largest GetMap in pixels (width, height); must divide the slab's pixel size. Default: one GetMap a slab.
    public var dimensions: (Int, Int)?
    /// Extra GetMap parameters, `K=V&K=V` (STYLES, TRANSPARENT, dimensions…).
    public var extras: String?
    /// Harvested images smaller than this many bytes count as empty.
    public var threshold = 0
    public var retries = 4
    public var timeoutSeconds = 60

    public var configDirectory: String
    public var name: String
    public var tms = "PM"
    public var bottomLevel: String
    public var topLevel: String?
    public var format: TileFormat = .jpgUInt8
    public var channels = 3
    public var nodata: [Int]?
    public var masks = false
    public var tilesPerWidth = 16
    public var tilesPerHeight = 16
    public var pathDepth = 2
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    public var title: String?
    public var quiet = false
    /// Update by reference: the slabs the area touches are harvested again (over the previous tiles), the
    /// others are symbolic links to the previous pyramid's slabs.
    public var updateFrom: String?

    public init(url: String, layers: String, area: String, configDirectory: String, name: String, bottomLevel: String) {
        self.url = url; self.layers = layers; self.area = area; self.configDirectory = configDirectory; self.name = name
        self.bottomLevel = bottomLevel
    }
}

/// The area as an OGR geometry in the TMS CRS, tested against slab rectangles.
final class AreaFilter: @unchecked Sendable {
    let geometry: OGRGeometryH
    let bbox: BBox
    private let lock = NSLock()

    init(wkt: String, target: SpatialRef) throws {
        var g: OGRGeometryH?
        var text = strdup(wkt)
        defer { free(text) }
        let src = try SpatialRef(userInput: "EPSG:4326")
        var p: UnsafeMutablePointer<CChar>? = text
        guard OGR_G_CreateFromWkt(&p, nil, &g) == OGRERR_NONE, let g else {
            throw ProcessingError.invalid("--area is not a valid WKT geometry (EPSG:4326 lon/lat): \(wkt.prefix(80))")
        }
        text = nil
        guard let ct = OCTNewCoordinateTransformation(src.handle, target.handle) else { throw ProcessingError.invalid("cannot transform the area") }
        defer { OCTDestroyCoordinateTransformation(ct) }
        // Densify so that the edges follow the curved projection of lon/lat lines.
        OGR_G_Segmentize(g, 0.01)
        guard OGR_G_Transform(g, ct) == OGRERR_NONE else { throw ProcessingError.invalid("cannot transform the area into the TMS CRS") }
        var env = OGREnvelope()
        OGR_G_GetEnvelope(g, &env)
        geometry = g
        bbox = BBox(minX: env.MinX, minY: env.MinY, maxX: env.MaxX, maxY: env.MaxY)
    }
    deinit { OGR_G_DestroyGeometry(geometry) }

    func intersects(_ b: BBox) -> Bool {
        let wkt = "POLYGON((\(b.minX) \(b.minY),\(b.maxX) \(b.minY),\(b.maxX) \(b.maxY),\(b.minX) \(b.maxY),\(b.minX) \(b.minY)))"
        var g: OGRGeometryH?
        var c = strdup(wkt)
        var p: UnsafeMutablePointer<CChar>? = c
        defer { free(c); c = nil }
        guard OGR_G_CreateFromWkt(&p, nil, &g) == OGRERR_NONE, let g else { return true }
        defer { OGR_G_DestroyGeometry(g) }
        lock.lock(); defer { lock.unlock() }
        return OGR_G_Intersects(geometry, g) != 0
    }
}

public enum HarvestBuilder {
    public static func build(_ o: HarvestOptions) throws -> PyramidBuildReport {
        let t0 = Date()
        _ = GDAL.registered
        guard TileCodec.supported.contains(o.format) else { throw ProcessingError.invalid("compression \(o.format.rawValue) is not supported") }
        guard (1...4).contains(o.channels) else { throw ProcessingError.invalid("channels must be 1 to 4") }
        if (o.format == .jpgUInt8 || o.format == .jpg90UInt8) && o.channels != 3 { throw ProcessingError.invalid("JPEG pyramids hold 3 channels") }
        guard o.tilesPerWidth * o.tilesPerHeight > 1 else { throw ProcessingError.invalid("slabs must hold at least 2 tiles") }
        let layout = PyramidLayout(configDirectory: o.configDirectory, name: o.name, pathDepth: o.pathDepth)
        let tms = try TileMatrixSet.load(URL(fileURLWithPath: layout.tileMatrixSetsDirectory).appendingPathComponent(o.tms + ".json"))
        let target = try SpatialRef(userInput: tms.crs)
        let area = try AreaFilter(wkt: o.area, target: target)
        let (previous, plans) = try RasterPyramidBuilder.planLevels(
            tms: tms, bbox: area.bbox, bottom: o.bottomLevel, top: o.topLevel, tilesPerWidth: o.tilesPerWidth,
            tilesPerHeight: o.tilesPerHeight, updateFrom: o.updateFrom, name: o.name, layout: layout, format: o.format,
            channels: o.channels)
        var harvested = Set(o.harvestLevels)
        harvested.insert(plans.last!.id)
        for l in harvested where !plans.contains(where: { $0.id == l }) {
            throw ProcessingError.invalid("harvest level \(l) is not between the top and bottom levels")
        }
        if let (w, h) = o.dimensions {
            let m = plans.last!.matrix
            guard w > 0, h > 0, (o.tilesPerWidth * m.tileWidth) % w == 0, (o.tilesPerHeight * m.tileHeight) % h == 0 else {
                throw ProcessingError.invalid("--dimensions \(w)x\(h) must divide the slab size \(o.tilesPerWidth * m.tileWidth)x\(o.tilesPerHeight * m.tileHeight)")
            }
        }
        let alphaOut = o.channels == 2 || o.channels == 4
        let nodata = o.nodata ?? (alphaOut ? Array(repeating: 255, count: o.channels - 1) + [0] : Array(repeating: 255, count: o.channels))
        guard nodata.count == o.channels else { throw ProcessingError.invalid("--nodata needs \(o.channels) values") }
        let colours = alphaOut ? o.channels - 1 : o.channels
        let photometric = o.channels <= 2 ? "gray" : "rgb"
        let src = SourceInfo(files: [], dataBands: colours, hasAlpha: true, bbox: area.bbox, crsOverride: nil)
        var ctx = BuildContext(layout: layout, format: o.format, channels: o.channels, nodata: nodata, masks: o.masks,
                               photometric: photometric, src: src, warpResampling: "near", nearest: false, targetWKT: target.wkt)
        ctx.previous = previous
        // A new build harvests the slabs meeting the area; an update also goes over the previous pyramid's.
        if previous == nil { ctx.slabFilter = { plan, s in area.intersects(plan.bounds(of: s)) } }
        let progress = ProgressReporter(label: "pyramid harvest \(o.name)", quiet: o.quiet)
        progress.line("pyramid harvest \(o.name): \(o.url) layers \(o.layers) as \(o.imageFormat); levels \(plans.first!.id)–\(plans.last!.id) "
                      + "of \(tms.id), harvested: \(harvested.sorted().joined(separator: ","))")
        RasterPyramidBuilder.removeTemporaries(in: layout.pyramidsDirectory + "/\(o.name)")
        let geographic = OSREPSGTreatsAsLatLong(target.handle) != 0
        let request = GetMapRequest(url: o.url, layers: o.layers, format: o.imageFormat, crs: tms.crs, extras: o.extras,
                                    latLonAxes: geographic, retries: o.retries, timeout: o.timeoutSeconds, threshold: o.threshold)
        let dims = o.dimensions
        let shared = ctx
        let factory: RasterPyramidBuilder.SlabMakerFactory = { HarvestMaker(ctx: shared, request: request, dimensions: dims) }
        let harvestedLevels = harvested
        let stats = try RasterPyramidBuilder.runLevels(plans: plans, ctx: ctx, jobs: o.jobs, progress: progress) { plan in
            harvestedLevels.contains(plan.id) ? factory : nil
        }
        let descriptor = DescriptorDocument(
            name: o.name, format: o.format, tms: tms.id, levels: plans, pathDepth: o.pathDepth,
            raster: .init(channels: o.channels, nodata: nodata, photometric: photometric, interpolation: "bicubic"),
            masks: o.masks)
        let compression: String = switch o.format {
        case .jpgUInt8: "JPG"
        case .jpg90UInt8: "JPG90"
        case .pngUInt8: "PNG"
        case .zipUInt8: "ZIP"
        default: "RAW"
        }
        let sd = StoredDataDocument.pyramid(name: o.name, title: o.title, vector: false, tms: tms.id, srs: tms.crs,
                                            levels: plans.map(\.id), channelsFormat: "UINT8", channels: o.channels,
                                            compression: compression, nodata: nodata.map(String.init).joined(separator: ","))
        try layout.finish(descriptor: descriptor, levels: plans, masks: o.masks, storedData: sd, previous: o.updateFrom)
        var report = PyramidBuildReport(levels: plans.map(\.id))
        report.slabsWritten = stats.written; report.slabsSkipped = stats.skipped; report.tilesWritten = stats.tiles
        report.pixels = stats.pixels; report.seconds = Date().timeIntervalSince(t0); report.descriptorPath = layout.descriptorPath
        report.slabsLinked = stats.linked
        progress.line(String(format: "pyramid harvest %@: %d slabs written, %d linked to %@, %d already done, %d tiles in %.1f s → %@",
                             o.name, report.slabsWritten, report.slabsLinked, o.updateFrom ?? "-", report.slabsSkipped, report.tilesWritten,
                             report.seconds, layout.descriptorPath))
        return report
    }
}

/// One GetMap, retried with backoff; the failure names the URL.
struct GetMapRequest: Sendable {
    var url: String, layers: String, format: String, crs: String, extras: String?
    var latLonAxes: Bool
    var retries: Int, timeout: Int, threshold: Int

    func url(for b: BBox, width: Int, height: Int) -> String {
        func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&+=;"))) ?? s }
        let bbox = latLonAxes ? "\(b.minY),\(b.minX),\(b.maxY),\(b.maxX)" : "\(b.minX),\(b.minY),\(b.maxX),\(b.maxY)"
        var u = url + (url.contains("?") ? (url.hasSuffix("?") || url.hasSuffix("&") ? "" : "&") : "?")
        u += "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=\(enc(layers))&CRS=\(enc(crs))&BBOX=\(bbox)"
        u += "&WIDTH=\(width)&HEIGHT=\(height)&FORMAT=\(enc(format))"
        let ex = extras ?? ""
        if !ex.uppercased().contains("STYLES=") { u += "&STYLES=" }
        if !ex.isEmpty { u += "&" + ex }
        return u
    }

    /// The image bytes, or nil when the answer is smaller than the threshold.
    func fetch(_ u: String) throws -> [UInt8]? {
        var lastError = ""
        for attempt in 0...retries {
            if attempt > 0 { Thread.sleep(forTimeInterval: min(8, 0.5 * pow(2, Double(attempt - 1)))) }
            var opts = CStringList(["TIMEOUT=\(timeout)", "MAX_RETRY=0"])
            defer { opts.free() }
            guard let r = opts.with({ CPLHTTPFetch(u, $0) }) else { lastError = "no answer"; continue }
            defer { CPLHTTPDestroyResult(r) }
            let res = r.pointee
            let status = Int(res.nStatus)
            let type = res.pszContentType.map { String(cString: $0) } ?? ""
            let body = res.pabyData.map { Array(UnsafeBufferPointer(start: $0, count: Int(res.nDataLen))) } ?? []
            if let err = res.pszErrBuf {
                lastError = String(cString: err) + (status != 0 ? " (curl \(status))" : "")
                continue
            }
            if type.contains("xml") || body.first == UInt8(ascii: "<") || !(type.isEmpty || type.hasPrefix("image/") || type.contains("octet-stream")) {
                lastError = "the WMS answered \(type.isEmpty ? "something else" : type) instead of an image: "
                    + String(decoding: body.prefix(300), as: UTF8.self)
                continue
            }
            guard !body.isEmpty else { lastError = "empty answer"; continue }
            return body.count < threshold ? nil : body
        }
        throw ProcessingError.http(u, "GetMap failed after \(retries + 1) attempts: \(lastError)")
    }
}

/// Harvests a slab: GetMaps of the whole slab (or of `dimensions` pieces), cut into tiles.
struct HarvestMaker: SlabMaker {
    let ctx: BuildContext
    let request: GetMapRequest
    let dimensions: (Int, Int)?

    func close() {}

    func slab(plan: LevelPlan, slab s: SlabKey) throws -> ([[UInt8]?], [[UInt8]?]) {
        let m = plan.matrix
        let W = plan.tilesPerWidth * m.tileWidth, H = plan.tilesPerHeight * m.tileHeight
        let (pw, ph) = dimensions ?? (W, H)
        let bands = ctx.src.dataBands + 1
        var px = [UInt8](repeating: 0, count: W * H * bands)   // alpha 0: nothing yet
        let sb = plan.bounds(of: s)
        for y0 in stride(from: 0, to: H, by: ph) {
            for x0 in stride(from: 0, to: W, by: pw) {
                let b = BBox(minX: sb.minX + Double(x0) * m.cellSize, minY: sb.maxY - Double(y0 + ph) * m.cellSize,
                             maxX: sb.minX + Double(x0 + pw) * m.cellSize, maxY: sb.maxY - Double(y0) * m.cellSize)
                let u = request.url(for: b, width: pw, height: ph)
                guard let bytes = try request.fetch(u) else { continue }
                let img: RasterImage
                do { img = try ImageDecoder.decode(bytes) } catch { throw ProcessingError.http(u, "undecodable image: \(error)") }
                guard img.width == pw, img.height == ph else { throw ProcessingError.http(u, "the image is \(img.width)x\(img.height), not \(pw)x\(ph)") }
                let ic = img.channels
                let hasAlpha = ic == 2 || ic == 4
                let colours = hasAlpha ? ic - 1 : ic
                for y in 0..<ph {
                    for x in 0..<pw {
                        let sp = (y * pw + x) * ic, dp = ((y0 + y) * W + x0 + x) * bands
                        for c in 0..<ctx.src.dataBands { px[dp + c] = img.pixels[sp + min(c, colours - 1)] }
                        px[dp + bands - 1] = hasAlpha ? img.pixels[sp + ic - 1] : 255
                    }
                }
            }
        }
        var tiles = [[UInt8]?](repeating: nil, count: plan.tilesPerSlab), masks = tiles
        var tile = [UInt8](repeating: 0, count: m.tileWidth * m.tileHeight * bands)
        for i in 0..<plan.tilesPerSlab {
            let (col, row) = plan.tile(i, of: s)
            guard plan.limits.contains(col: col, row: row) else { continue }
            let tx = (i % plan.tilesPerWidth) * m.tileWidth, ty = (i / plan.tilesPerWidth) * m.tileHeight
            for y in 0..<m.tileHeight {
                let so = ((ty + y) * W + tx) * bands, d = y * m.tileWidth * bands
                for k in 0..<(m.tileWidth * bands) { tile[d + k] = px[so + k] }
            }
            try ctx.keepPrevious(in: &tile, bands: bands, level: plan.id, col: col, row: row, m: m)
            (tiles[i], masks[i]) = try tile.withUnsafeBufferPointer { try ctx.finishTile($0, bands: bands, dataBands: ctx.src.dataBands, m: m) }
        }
        return (tiles, masks)
    }
}
