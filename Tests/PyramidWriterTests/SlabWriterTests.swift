import Foundation
import Testing
import TileStore
@testable import PyramidWriter

/// The repository's demo pyramids (config/pyramids), written by the reference fixture tool and checked with the
/// rok4 reader: the writer must reproduce their bytes.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let pyramids = root.appendingPathComponent("config/pyramids")
    static let tileMatrixSets = root.appendingPathComponent("config/tilematrixsets")
    static func bytes(_ rel: String) throws -> [UInt8] { Array(try Data(contentsOf: pyramids.appendingPathComponent(rel))) }
}

@Suite struct SlabHeaderTests {
    @Test func jpegHeaderMatchesFixture() throws {
        let slab = try Repo.bytes("FRANCE_RELIEF_JPG/DATA/3/00/00/11.tif")
        let h = SlabHeader.raster(format: .jpgUInt8, channels: 3, photometric: "rgb", tilesPerWidth: 2, tilesPerHeight: 2,
                                  tileWidth: 256, tileHeight: 256)
        #expect(h.count == 2048)
        #expect(h == Array(slab[0..<2048]))
        // 12 entries: ImageWidth … SampleFormat, YCbCrSubSampling; BitsPerSample count 3 pointing at byte 8.
        #expect(h[16] == 12)
        #expect(Array(h[8..<16]) == [8, 0, 8, 0, 8, 0, 8, 0])
    }

    @Test func maskHeaderMatchesFixture() throws {
        let slab = try Repo.bytes("FRANCE_RELIEF_JPG/MASK/3/00/00/11.tif")
        let h = SlabHeader.raster(format: .zipUInt8, channels: 1, photometric: "mask", tilesPerWidth: 2, tilesPerHeight: 2,
                                  tileWidth: 256, tileHeight: 256)
        #expect(h == Array(slab[0..<2048]))
    }

    @Test func rgbaPNGHeaderMatchesFixture() throws {
        let rel = try FileManager.default.subpathsOfDirectory(atPath: Repo.pyramids.appendingPathComponent("RHONE_RGBA_PNG/DATA/6").path)
            .first { $0.hasSuffix(".tif") }!
        let slab = try Repo.bytes("RHONE_RGBA_PNG/DATA/6/" + rel)
        let h = SlabHeader.raster(format: .pngUInt8, channels: 4, photometric: "rgb", tilesPerWidth: 3, tilesPerHeight: 2,
                                  tileWidth: 256, tileHeight: 256)
        #expect(h == Array(slab[0..<2048]))
    }

    @Test func vectorHeaderMatchesFixture() throws {
        let rel = try FileManager.default.subpathsOfDirectory(atPath: Repo.pyramids.appendingPathComponent("RHONE_ADMIN_MVT/DATA/8").path)
            .first { $0.hasSuffix(".tif") }!
        let slab = try Repo.bytes("RHONE_ADMIN_MVT/DATA/8/" + rel)
        #expect(SlabHeader.vector(tilesPerWidth: 16, tilesPerHeight: 16) == Array(slab[0..<2048]))
    }

    @Test func twoChannelBitsPerSampleInline() {
        let h = SlabHeader.raster(format: .pngUInt8, channels: 2, photometric: "gray", tilesPerWidth: 4, tilesPerHeight: 4,
                                  tileWidth: 256, tileHeight: 256)
        // Third entry (BitsPerSample): tag 258, SHORT, count 2, values 8 and 8 inline.
        let e = 18 + 2 * 12
        #expect(Array(h[e..<(e + 12)]) == [2, 1, 3, 0, 2, 0, 0, 0, 8, 0, 8, 0])
    }
}

@Suite struct SlabEncoderTests {
    /// Every slab of the demo pyramids, decoded and re-encoded, comes out byte for byte identical: tile order,
    /// 16-byte alignment between tiles, no padding after the last one, offsets of empty tiles.
    @Test(arguments: ["FRANCE_RELIEF_JPG", "RHONE_RGBA_PNG", "RHONE_ADMIN_MVT"])
    func reencodesFixtureSlabs(name: String) throws {
        let desc = try Pyramid.load(descriptor: Repo.pyramids.appendingPathComponent("\(name).json").path)
        var checked = 0
        for level in desc.levels {
            guard case .file(let dir, _) = level.storage else { continue }
            for rel in (try? FileManager.default.subpathsOfDirectory(atPath: dir)) ?? [] where rel.hasSuffix(".tif") {
                let slab = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + rel)))
                let tiles = try #require(SlabEncoder.decode(slab, tiles: level.tilesPerSlab))
                #expect(SlabEncoder.encode(header: Array(slab[0..<2048]), tiles: tiles) == slab, "\(dir)/\(rel)")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    @Test func layout() {
        let h = SlabHeader.vector(tilesPerWidth: 2, tilesPerHeight: 2)
        let slab = SlabEncoder.encode(header: h, tiles: [[1, 2, 3], nil, [4], nil])
        // First tile at 2048 + 8*4 = 2080, the next on 2096; the slab ends right after the last tile.
        #expect(slab.count == 2097)
        let t = SlabEncoder.decode(slab, tiles: 4)!
        #expect(t[0] == [1, 2, 3] && t[1] == nil && t[2] == [4] && t[3] == nil)
        func u32(_ o: Int) -> Int { Int(slab[o]) | Int(slab[o + 1]) << 8 | Int(slab[o + 2]) << 16 | Int(slab[o + 3]) << 24 }
        #expect([u32(2048), u32(2052), u32(2056)] == [Int]([2080, 2096, 2096]))
        #expect([u32(2064), u32(2068), u32(2072), u32(2076)] == [Int]([3, 0, 1, 0]))
    }

    @Test func atomicWriteLeavesNoTemporary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a/b/00/00/11.tif").path
        try AtomicFile.write([1, 2, 3], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent) == ["11.tif"])
    }
}

@Suite struct LevelPlanTests {
    func pm() throws -> TileMatrixSet { try TileMatrixSet.load(Repo.tileMatrixSets.appendingPathComponent("PM.json")) }

    /// A bbox whose edges fall exactly on tile boundaries (as computed in floating point) covers those tiles
    /// only: no extra column or row on the min side nor on the max side.
    @Test func limitsOnTileBoundaries() throws {
        let m = try #require(try pm().matrix("10"))
        let a = m.bounds(col: 524, row: 363), b = m.bounds(col: 526, row: 366)
        let l = try #require(LevelPlanner.tileLimits(covering: BBox(minX: a.minX, minY: b.minY, maxX: b.maxX, maxY: a.maxY), in: m))
        #expect(l == TileLimits(minCol: 524, maxCol: 526, minRow: 363, maxRow: 366))
        // The same bbox recomputed from the other corner's arithmetic (a hair off) gives the same limits.
        let span = m.tileSpanX
        let x0 = -20037508.3427892 + 524 * span * (1 - 1e-15), y1 = 20037508.3427892 - 363 * span * (1 + 1e-15)
        let l2 = try #require(LevelPlanner.tileLimits(covering: BBox(minX: x0, minY: b.minY, maxX: b.maxX, maxY: y1), in: m))
        #expect(l2 == l)
    }

    @Test func limitsClampedAndPlan() throws {
        let tms = try pm()
        let world = BBox(minX: -3e7, minY: -3e7, maxX: 3e7, maxY: 3e7)
        #expect(LevelPlanner.tileLimits(covering: world, in: tms.matrix("2")!) == TileLimits(minCol: 0, maxCol: 3, minRow: 0, maxRow: 3))
        // The demo relief's France: from level 10 up to where it fits in one tile.
        let france = BBox(minX: -572_000, minY: 5_060_000, maxX: 1_064_000, maxY: 6_640_000)
        let plans = try LevelPlanner.plan(tms: tms, bbox: france, bottom: "10", top: nil, tilesPerWidth: 16, tilesPerHeight: 16)
        #expect(plans.last?.id == "10")
        let top = try #require(plans.first)
        #expect(top.limits.minCol == top.limits.maxCol && top.limits.minRow == top.limits.maxRow)
        #expect(throws: PlanError.self) { try LevelPlanner.plan(tms: tms, bbox: france, bottom: "99", top: nil, tilesPerWidth: 16, tilesPerHeight: 16) }
        let slabs = plans.last!.slabs
        #expect(slabs.count == ((plans.last!.limits.maxCol / 16) - (plans.last!.limits.minCol / 16) + 1)
                * ((plans.last!.limits.maxRow / 16) - (plans.last!.limits.minRow / 16) + 1))
    }

    @Test func descriptorReadBackByTileStore() throws {
        let tms = try pm()
        let plans = try LevelPlanner.plan(tms: tms, bbox: BBox(minX: 500_000, minY: 5_700_000, maxX: 560_000, maxY: 5_760_000),
                                          bottom: "12", top: "9", tilesPerWidth: 4, tilesPerHeight: 4)
        let doc = DescriptorDocument(name: "T", format: .pngUInt8, tms: "PM", levels: plans,
                                     raster: .init(channels: 4, nodata: [255, 255, 255, 0], photometric: "rgb", interpolation: "bicubic"),
                                     masks: true)
        let p = try Pyramid.parse(try doc.json(), descriptorPath: "/cfg/pyramids/T.json")
        #expect(p.format == .pngUInt8)
        #expect(p.levels.map(\.id) == ["9", "10", "11", "12"])
        #expect(p.raster?.nodata == [255, 255, 255, 0])
        #expect(p.maskFormat == "TIFF_ZIP_UINT8")
        #expect(p.level("12")?.storage == .file(imageDirectory: "/cfg/pyramids/T/DATA/12", pathDepth: 2))
        #expect(p.level("12")?.limits == plans.last!.limits)
        let json = String(decoding: try doc.json(), as: UTF8.self)
        #expect(json.contains("\"nodata\" : \"255,255,255,0\""))
        #expect(json.contains("\"mask_directory\" : \"T/MASK/12\""))
    }
}
