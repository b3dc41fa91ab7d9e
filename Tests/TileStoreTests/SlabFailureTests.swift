import Foundation
import NIOCore
import Testing
@testable import TileStore

/// Slabs that are missing, linked, replaced, truncated or not slabs at all.
@Suite struct SlabFailureTests {
    /// A private copy of the FRANCE_RELIEF_JPG pyramid (descriptor + level 10 slabs).
    static func copyPyramid() throws -> (dir: URL, descriptor: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tilestore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let src = Fixtures.rok4.appendingPathComponent("pyramids")
        try FileManager.default.copyItem(at: src.appendingPathComponent("FRANCE_RELIEF_JPG.json"),
                                         to: dir.appendingPathComponent("FRANCE_RELIEF_JPG.json"))
        try FileManager.default.copyItem(at: src.appendingPathComponent("FRANCE_RELIEF_JPG"),
                                         to: dir.appendingPathComponent("FRANCE_RELIEF_JPG"))
        return (dir, dir.appendingPathComponent("FRANCE_RELIEF_JPG.json").path)
    }

    static let slab = "FRANCE_RELIEF_JPG/DATA/10/00/75/A2.tif"   // tiles (524,365) (525,365) (524,366) (525,366)

    func reader(_ descriptor: String, cache: SlabIndexCache = SlabIndexCache()) throws -> PyramidReader {
        PyramidReader(pyramid: try Pyramid.load(descriptor: descriptor), storage: FileSlabStorage(), indexes: cache)
    }

    @Test func truncatedSlabIsAnErrorForItsTilesOnly() throws {
        let (dir, desc) = try Self.copyPyramid()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(Self.slab).path
        // Keep the index and the first tile, cut into the last one (offset 38016, 15590 bytes).
        #expect(truncate(path, 40000) == 0)
        let r = try reader(desc)
        #expect(throws: TileStoreError.self) { try r.readTile(level: "10", col: 525, row: 365) }
        #expect(try r.readTile(level: "10", col: 524, row: 365) != nil, "the first tile of the slab is intact")
        #expect(try r.readTile(level: "10", col: 524, row: 363) != nil, "other slabs still serve")
        // Cut into the index itself (2048 + 8 × 4 bytes).
        #expect(truncate(path, 2060) == 0)
        let r2 = try reader(desc)
        do {
            _ = try r2.readTile(level: "10", col: 524, row: 365)
            Issue.record("a truncated index must fail")
        } catch let e as TileStoreError {
            guard case .corruptSlab(_, let msg) = e else { Issue.record("\(e)"); return }
            #expect(msg.contains("truncated"))
        }
    }

    @Test func badHeaderIsAnError() throws {
        let (dir, desc) = try Self.copyPyramid()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(Self.slab).path
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[0] = UInt8(ascii: "M"); data[1] = UInt8(ascii: "M")
        try data.write(to: URL(fileURLWithPath: path))
        #expect(throws: TileStoreError.self) { try reader(desc).readTile(level: "10", col: 524, row: 365) }
    }

    @Test func emptyAndMissingSlabsAreNoData() throws {
        let (dir, desc) = try Self.copyPyramid()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(Self.slab).path
        let r = try reader(desc)
        #expect(try r.readTile(level: "10", col: 524, row: 365) != nil)
        #expect(truncate(path, 0) == 0)
        #expect(try r.readTile(level: "10", col: 524, row: 365) == nil, "size 0 slab")
        try FileManager.default.removeItem(atPath: path)
        #expect(try r.readTile(level: "10", col: 524, row: 365) == nil, "missing slab")
        #expect(try r.readTile(level: "42", col: 0, row: 0) == nil, "unknown level")
        #expect(try r.readTile(level: "10", col: 0, row: 0) == nil, "outside the limits")
    }

    @Test func symbolicLinkSlabsAreFollowed() throws {
        let (dir, desc) = try Self.copyPyramid()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(Self.slab).path
        let target = dir.appendingPathComponent("shared-slab.tif").path
        try FileManager.default.moveItem(atPath: path, toPath: target)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        let viaLink = try reader(desc).readTile(level: "10", col: 525, row: 365)
        let original = try reader(Fixtures.descriptor("FRANCE_RELIEF_JPG")).readTile(level: "10", col: 525, row: 365)
        #expect(viaLink != nil)
        #expect(viaLink?.bytes == original?.bytes)
        // A dangling link is a missing slab.
        try FileManager.default.removeItem(atPath: target)
        #expect(try reader(desc).readTile(level: "10", col: 525, row: 365) == nil)
    }

    @Test func replacedSlabIsReadAgain() throws {
        let (dir, desc) = try Self.copyPyramid()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = SlabIndexCache()
        let r = try reader(desc, cache: cache)
        let path = dir.appendingPathComponent(Self.slab).path
        let before = try #require(try r.readTile(level: "10", col: 524, row: 365))
        // Replace the slab by another one of the same grid (a different file: new inode).
        let other = dir.appendingPathComponent("FRANCE_RELIEF_JPG/DATA/10/00/75/A1.tif").path
        let tmp = path + ".new"
        try FileManager.default.copyItem(atPath: other, toPath: tmp)
        #expect(rename(tmp, path) == 0)
        let after = try #require(try r.readTile(level: "10", col: 524, row: 365))
        let expected = try reader(Fixtures.descriptor("FRANCE_RELIEF_JPG")).readTile(level: "10", col: 524, row: 363)
        #expect(after.bytes == expected?.bytes)
        #expect(after.bytes != before.bytes)
        #expect(after.etag != before.etag)
    }

    @Test func indexCacheIsBounded() throws {
        let cache = SlabIndexCache(maxBytes: 4096)
        let r = try reader(Fixtures.descriptor("RHONE_ADMIN_MVT"), cache: cache)   // 16×16 slabs: ~2 kB per index
        for (l, c, rw) in [("12", 2100, 1458), ("11", 1050, 730), ("10", 525, 365), ("9", 262, 182), ("8", 131, 91)] {
            _ = try r.readTile(level: l, col: c, row: rw)
        }
        #expect(cache.statistics.bytes <= 4096)
        #expect(cache.statistics.entries >= 1)
        _ = try r.readTile(level: "8", col: 131, row: 91)
        #expect(cache.statistics.hits >= 1)
    }
}
