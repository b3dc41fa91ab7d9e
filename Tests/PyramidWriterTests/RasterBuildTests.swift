import CGDAL
import Config
import Foundation
import ImageCodec
import Testing
import TileStore
@testable import Processing
@testable import PyramidWriter

/// A small config directory with the PM tile matrix set, and GeoTIFFs synthesised with GDAL.
struct Scratch {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pyr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("config/tilematrixsets"), withIntermediateDirectories: true)
        for t in ["PM", "WGS84G", "LAMB93"] {
            try FileManager.default.copyItem(at: Repo.tileMatrixSets.appendingPathComponent("\(t).json"),
                                             to: dir.appendingPathComponent("config/tilematrixsets/\(t).json"))
        }
    }
    var config: String { dir.appendingPathComponent("config").path }
    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// An EPSG:4326 GeoTIFF of `bands` bytes per pixel around Lyon: a gradient, with an alpha band when asked
    /// whose left quarter is transparent.
    func geotiff(_ name: String, bands: Int, alpha: Bool, width: Int = 400, height: Int = 300, srs: String? = "EPSG:4326") -> String {
        GDALAllRegister()
        let path = dir.appendingPathComponent(name).path
        let n = bands + (alpha ? 1 : 0)
        let ds = GDALCreate(GDALGetDriverByName("GTiff"), path, Int32(width), Int32(height), Int32(n), GDT_Byte, nil)!
        var gt = [4.70, 0.3 / Double(width), 0, 45.85, 0, -0.2 / Double(height)]
        _ = gt.withUnsafeMutableBufferPointer { GDALSetGeoTransform(ds, $0.baseAddress) }
        if let srs {
            let s = OSRNewSpatialReference(nil)!
            OSRSetFromUserInput(s, srs)
            GDALSetSpatialRef(ds, s)
            OSRDestroySpatialReference(s)
        }
        for b in 1...n {
            var px = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height {
                for x in 0..<width {
                    px[y * width + x] = (alpha && b == n) ? (x < width / 4 ? 0 : 255) : UInt8((x * (b + 1) + y * 2 * b) % 256)
                }
            }
            let band = GDALGetRasterBand(ds, Int32(b))
            if alpha && b == n { GDALSetRasterColorInterpretation(band, GCI_AlphaBand) }
            _ = px.withUnsafeMutableBytes { GDALRasterIO(band, GF_Write, 0, 0, Int32(width), Int32(height), $0.baseAddress, Int32(width), Int32(height), GDT_Byte, 0, 0) }
        }
        GDALClose(ds)
        return path
    }
}

@Suite(.serialized) struct RasterBuildTests {
    func tiles(_ p: Pyramid, level: String) throws -> [String: [UInt8]] {
        let l = try #require(p.level(level))
        guard case .file(let dir, let depth) = l.storage else { return [:] }
        var out: [String: [UInt8]] = [:]
        for row in l.limits.minRow...l.limits.maxRow {
            for col in l.limits.minCol...l.limits.maxCol {
                let path = dir + "/" + SlabPath.file(slabCol: col / l.tilesPerWidth, slabRow: row / l.tilesPerHeight, depth: depth)
                guard let d = FileManager.default.contents(atPath: path),
                      let t = SlabEncoder.decode(Array(d), tiles: l.tilesPerSlab) else { continue }
                if let tile = t[(row % l.tilesPerHeight) * l.tilesPerWidth + col % l.tilesPerWidth] { out["\(col),\(row)"] = tile }
            }
        }
        return out
    }

    @Test func rgbaPNGPyramidWithMasksAndResume() throws {
        let s = try Scratch()
        defer { s.remove() }
        let src = s.geotiff("rgba.tif", bands: 3, alpha: true)
        var o = RasterPyramidOptions(inputs: [src], configDirectory: s.config, name: "TEST_RGBA", tms: "PM", bottomLevel: "12")
        o.topLevel = "9"
        o.format = .pngUInt8
        o.masks = true
        o.tilesPerWidth = 4; o.tilesPerHeight = 4
        o.jobs = 2
        o.quiet = true
        let r = try RasterPyramidBuilder.build(o)
        #expect(r.levels == ["9", "10", "11", "12"])
        #expect(r.slabsWritten > 0 && r.slabsSkipped == 0)

        // The descriptor reads back with TileStore, every level has tiles that decode as 4-channel 256x256 PNGs.
        let p = try Pyramid.load(descriptor: s.config + "/pyramids/TEST_RGBA.json")
        #expect(p.format == .pngUInt8 && p.raster?.channels == 4 && p.maskFormat == "TIFF_ZIP_UINT8")
        #expect(p.raster?.nodata == [255, 255, 255, 0])
        for l in r.levels {
            let t = try tiles(p, level: l)
            #expect(!t.isEmpty, "level \(l)")
            let img = try ImageDecoder.decode(t.values.first!)
            #expect(img.width == 256 && img.height == 256 && img.channels == 4)
        }
        // The transparent left quarter of the image (west of 4.775°E) is transparent in the bottom level, the rest
        // opaque; tiles wholly in it are not written.
        let bottom = try tiles(p, level: "12")
        let lim = p.level("12")!.limits
        let m = try #require(try TileMatrixSet.load(Repo.tileMatrixSets.appendingPathComponent("PM.json")).matrix("12"))
        let edgeX = 4.775 * 20037508.3427892 / 180
        let col = Int((edgeX - m.originX) / m.tileSpanX), row = (lim.minRow + lim.maxRow) / 2
        let px = Int((edgeX - m.bounds(col: col, row: row).minX) / m.cellSize)
        let edgeTile = try ImageDecoder.decode(try #require(bottom["\(col),\(row)"]))
        if px >= 3 { #expect(edgeTile.pixel(px - 3, 128).last == 0) }
        if px < 253 { #expect(edgeTile.pixel(px + 3, 128).last == 255) }
        #expect(bottom.count < (lim.maxCol - lim.minCol + 1) * (lim.maxRow - lim.minRow + 1))

        // The stored data decodes with Config's model and points at the descriptor.
        let sd = try JSONDecoder().decode(StoredData.self, from: Data(contentsOf: URL(fileURLWithPath: s.config + "/stored_data/TEST_RGBA.json")))
        #expect(sd.type == .rok4PyramidRaster)
        #expect(sd.storage.type == "FILESYSTEM" && sd.storage.path == "pyramids/TEST_RGBA.json")
        #expect(sd.typeInfos?.tms == "PM" && sd.typeInfos?.channelsNumber == 4 && sd.typeInfos?.compression == "PNG")
        #expect(sd.typeInfos?.levels?.map(\.value) == ["9", "10", "11", "12"])

        // The list names every slab, masks included.
        let list = try String(contentsOfFile: s.config + "/pyramids/TEST_RGBA.list", encoding: .utf8)
        #expect(list.hasPrefix("0=TEST_RGBA\n#\n0/DATA/"))
        #expect(list.contains("0/MASK/12/"))

        // Resume: remove one bottom slab; a second run rebuilds it only and gives the same bytes.
        let victim = try #require(list.split(separator: "\n").first { $0.hasPrefix("0/DATA/12/") }.map { String($0.dropFirst(2)) })
        let victimPath = s.config + "/pyramids/TEST_RGBA/" + victim
        let before = try Data(contentsOf: URL(fileURLWithPath: victimPath))
        try FileManager.default.removeItem(atPath: victimPath)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: (victimPath as NSString).deletingLastPathComponent + "/.x.tif.tmp-1-2"))
        let r2 = try RasterPyramidBuilder.build(o)
        #expect(r2.slabsWritten == 1)
        #expect(r2.slabsSkipped == r.slabsWritten - 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: victimPath)) == before)
        #expect(!FileManager.default.fileExists(atPath: (victimPath as NSString).deletingLastPathComponent + "/.x.tif.tmp-1-2"))
    }

    @Test func jpegPyramidFromGrayUpperLevelsAveraged() throws {
        let s = try Scratch()
        defer { s.remove() }
        let src = s.geotiff("rgb.tif", bands: 3, alpha: false)
        var o = RasterPyramidOptions(inputs: [src], configDirectory: s.config, name: "TEST_JPG", tms: "PM", bottomLevel: "11")
        o.topLevel = "10"
        o.tilesPerWidth = 2; o.tilesPerHeight = 2
        o.resampling = "nearest"
        o.quiet = true
        let r = try RasterPyramidBuilder.build(o)
        #expect(r.levels == ["10", "11"])
        let p = try Pyramid.load(descriptor: s.config + "/pyramids/TEST_JPG.json")
        #expect(p.format == .jpgUInt8 && p.raster?.channels == 3 && p.maskFormat == nil)
        let top = try tiles(p, level: "10")
        #expect(!top.isEmpty)
        for t in top.values { #expect(t.prefix(3) == [0xFF, 0xD8, 0xFF]) }
        // Slab header of a JPEG slab: YCbCr photometric, compression 7.
        let l = p.level("11")!
        guard case .file(let dir, _) = l.storage else { return }
        let first = try #require(try FileManager.default.subpathsOfDirectory(atPath: dir).first { $0.hasSuffix(".tif") })
        let slab = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + first)))
        #expect(Array(slab[0..<2048]) == SlabHeader.raster(format: .jpgUInt8, channels: 3, photometric: "rgb", tilesPerWidth: 2,
                                                             tilesPerHeight: 2, tileWidth: 256, tileHeight: 256))
    }

    /// Gray + alpha into the geographic WGS84G grid: a 2-channel PNG pyramid, BitsPerSample inline, the tiles
    /// where the image lies (around 4.7–5.0°E, 45.65–45.85°N).
    @Test func grayAlphaInWGS84G() throws {
        let s = try Scratch()
        defer { s.remove() }
        var o = RasterPyramidOptions(inputs: [s.geotiff("ga.tif", bands: 1, alpha: true)], configDirectory: s.config, name: "GA",
                                     tms: "WGS84G", bottomLevel: "12")
        o.format = .pngUInt8
        o.tilesPerWidth = 2; o.tilesPerHeight = 2
        o.quiet = true
        let r = try RasterPyramidBuilder.build(o)
        let p = try Pyramid.load(descriptor: s.config + "/pyramids/GA.json")
        #expect(p.tileMatrixSetID == "WGS84G" && p.raster?.channels == 2 && p.raster?.photometric == "gray")
        #expect(p.raster?.nodata == [255, 0])
        let tms = try TileMatrixSet.load(URL(fileURLWithPath: s.config + "/tilematrixsets/WGS84G.json"))
        let m = try #require(tms.matrix("12"))
        let lim = try #require(p.level("12")?.limits)
        let west = m.bounds(col: lim.minCol, row: lim.minRow), east = m.bounds(col: lim.maxCol, row: lim.maxRow)
        #expect(west.minX <= 4.70 && 4.70 < west.maxX && east.minX < 5.0 && 5.0 <= east.maxX + 1e-9)
        #expect(west.maxY >= 45.85 && east.minY <= 45.65)
        let t = try tiles(p, level: "12")
        let img = try ImageDecoder.decode(try #require(t.values.first))
        #expect(img.channels == 2)
        #expect(r.levels.first.map { tms.matrix($0)!.cellSize } ?? 0 > m.cellSize)
        guard case .file(let dir, _) = p.level("12")!.storage else { return }
        let first = try #require(try FileManager.default.subpathsOfDirectory(atPath: dir).first { $0.hasSuffix(".tif") })
        let slab = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + first)))
        #expect(Array(slab[0..<2048]) == SlabHeader.raster(format: .pngUInt8, channels: 2, photometric: "gray", tilesPerWidth: 2,
                                                             tilesPerHeight: 2, tileWidth: 256, tileHeight: 256))
    }

    @Test func clearErrors() throws {
        let s = try Scratch()
        defer { s.remove() }
        let nogeo = s.geotiff("nosrs.tif", bands: 3, alpha: false, srs: nil)
        var o = RasterPyramidOptions(inputs: [nogeo], configDirectory: s.config, name: "X", tms: "PM", bottomLevel: "10")
        o.quiet = true
        #expect { try RasterPyramidBuilder.build(o) } throws: { "\($0)".contains("nosrs.tif") && "\($0)".contains("no CRS") }
        o.inputCRS = "FOO:1"
        #expect { try RasterPyramidBuilder.build(o) } throws: { "\($0)" == "unknown CRS FOO:1" }
        o.inputCRS = nil
        o.inputs = [s.dir.appendingPathComponent("missing.tif").path]
        #expect { try RasterPyramidBuilder.build(o) } throws: { "\($0)".contains("missing.tif") }
        let junk = s.dir.appendingPathComponent("junk.tif").path
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: junk))
        o.inputs = [junk]
        #expect { try RasterPyramidBuilder.build(o) } throws: { "\($0)".contains("junk.tif") && "\($0)".contains("unreadable") }
        o.inputs = [s.geotiff("ok.tif", bands: 3, alpha: false)]
        o.tms = "NOPE"
        #expect(throws: (any Error).self) { try RasterPyramidBuilder.build(o) }
        #expect(!FileManager.default.fileExists(atPath: s.config + "/stored_data/X.json"))
    }
}
