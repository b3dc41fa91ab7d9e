import Foundation
import NIOCore
import Testing
@testable import TileStore

/// The in-memory tile cache in front of the slab reads.
@Suite struct TileCacheTests {
    @Test func freshEntriesServeWithoutReadingAndExpire() async throws {
        let (dir, desc) = try SlabFailureTests.copyPyramid()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tiles = TileCache(freshness: .milliseconds(300))
        let r = PyramidReader(pyramid: try Pyramid.load(descriptor: desc), storage: FileSlabStorage(),
                              indexes: SlabIndexCache(), tiles: tiles)
        let before = try #require(try await r.tile(level: "10", col: 524, row: 365))
        #expect(tiles.statistics.entries == 1)
        // Replace the slab: while the entry is fresh the cached bytes are served, then the new slab's.
        let path = dir.appendingPathComponent(SlabFailureTests.slab).path
        let other = dir.appendingPathComponent("FRANCE_RELIEF_JPG/DATA/10/00/75/A1.tif").path
        try FileManager.default.copyItem(atPath: other, toPath: path + ".new")
        #expect(rename(path + ".new", path) == 0)
        let cached = try #require(try await r.tile(level: "10", col: 524, row: 365))
        #expect(cached.bytes == before.bytes)
        try await Task.sleep(for: .milliseconds(350))
        let after = try #require(try await r.tile(level: "10", col: 524, row: 365))
        #expect(after.bytes != before.bytes)
        #expect(after.etag != before.etag)
        // "No data" is cached too, and answers nil.
        #expect(try await r.tile(level: "10", col: 0, row: 0) == nil)
        #expect(try await r.tile(level: "10", col: 0, row: 0) == nil)
    }

    @Test func boundedByBytes() throws {
        let cache = TileCache(maxBytes: 64 * 1024)
        var buf = ByteBufferAllocator().buffer(capacity: 800)
        buf.writeRepeatingByte(7, count: 800)
        let slab = SlabIdentity(version: "1:1", size: 1, modified: 0, modifiedNanoseconds: 0)
        for i in 0..<200 { cache.put("slab#\(i)", TileData(bytes: buf, slab: slab, offset: 0)) }
        let s = cache.statistics
        #expect(s.bytes <= 64 * 1024)
        #expect(s.entries < 200 && s.entries > 20)
        #expect(cache.get("slab#199") != nil, "the newest entry stays")
        #expect(cache.get("slab#0") == nil, "the oldest went first")
        // A tile too large for the cache is not kept.
        var big = ByteBufferAllocator().buffer(capacity: 2048)
        big.writeRepeatingByte(1, count: 2048)
        cache.put("big", TileData(bytes: big, slab: slab, offset: 0))
        #expect(cache.get("big") == nil)
    }
}
