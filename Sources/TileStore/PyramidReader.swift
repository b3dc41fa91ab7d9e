import NIOCore
import NIOPosix

/// The encoded bytes of one tile, with what HTTP validators need.
public struct TileData: Sendable {
    public let bytes: ByteBuffer
    public let slab: SlabIdentity
    /// Where the tile starts in its slab.
    public let offset: Int
    /// A strong validator: the slab version plus the tile's place in it (computed once, with the tile).
    public let etag: String

    public init(bytes: ByteBuffer, slab: SlabIdentity, offset: Int) {
        self.bytes = bytes; self.slab = slab; self.offset = offset
        var h: UInt64 = 0xcbf29ce484222325
        for b in "\(slab.version)|\(slab.size)|\(slab.modified).\(slab.modifiedNanoseconds)|\(offset)|\(bytes.readableBytes)".utf8 {
            h = (h ^ UInt64(b)) &* 0x100000001b3
        }
        etag = "\"" + String(h, radix: 16) + "\""
    }
}

/// Where a tile lives: its slab and its place in the slab's index.
public struct TileLocation: Sendable, Equatable {
    public var key: String
    public var index: Int
    public var tilesPerSlab: Int
}

/// Reads tiles of one pyramid (§8 of the format note). The blocking calls are the `read…` ones;
/// `tile(level:col:row:)` runs them on the storage's blocking pool.
public struct PyramidReader: Sendable {
    public let pyramid: Pyramid
    public let storage: any SlabStorage
    public let indexes: SlabIndexCache
    /// Recently read tiles; nil reads every tile from its slab.
    public let tiles: TileCache?

    public init(pyramid: Pyramid, storage: any SlabStorage, indexes: SlabIndexCache, tiles: TileCache? = nil) {
        self.pyramid = pyramid; self.storage = storage; self.indexes = indexes; self.tiles = tiles
    }

    /// The slab and index of tile (col, row) of `level`.
    public func location(level: PyramidLevel, col: Int, row: Int) -> TileLocation {
        let sc = col / level.tilesPerWidth, sr = row / level.tilesPerHeight
        let i = (row % level.tilesPerHeight) * level.tilesPerWidth + (col % level.tilesPerWidth)
        let key: String
        switch level.storage {
        case .file(let dir, let depth):
            key = dir + "/" + SlabPath.file(slabCol: sc, slabRow: sr, depth: depth)
        case .object(_, let tray, let prefix):
            key = tray + "/" + SlabPath.object(prefix: prefix, slabCol: sc, slabRow: sr)
        }
        return TileLocation(key: key, index: i, tilesPerSlab: level.tilesPerSlab)
    }

    /// The tile, or nil for "no data" (unknown level, outside the limits, missing slab, size 0). Throws
    /// `corruptSlab` when the slab cannot be read as a ROK4 slab. Blocking.
    public func readTile(level levelID: String, col: Int, row: Int) throws -> TileData? {
        guard let level = pyramid.level(levelID), level.limits.contains(col: col, row: row) else { return nil }
        let loc = location(level: level, col: col, row: row)
        // A slab replaced between the index read and the tile read is read again, once.
        for attempt in 0..<2 {
            guard let index = try index(of: loc, forceReload: attempt > 0) else { return nil }
            let size = Int(index.sizes[loc.index]), offset = Int(index.offsets[loc.index])
            guard size > 0 else { return nil }
            guard Int64(offset) + Int64(size) <= index.identity.size, offset >= SlabIndex.byteCount(tiles: loc.tilesPerSlab) else {
                throw TileStoreError.corruptSlab(index.key, "tile \(loc.index) at \(offset)+\(size) lies outside the slab (\(index.identity.size) bytes)")
            }
            guard let read = try storage.readRange(index.key, offset: offset, length: size) else { continue }
            if read.identity != index.identity { indexes.remove(loc.key); continue }
            guard read.bytes.readableBytes == size else {
                throw TileStoreError.corruptSlab(index.key, "tile \(loc.index) is truncated (\(read.bytes.readableBytes) of \(size) bytes)")
            }
            return TileData(bytes: read.bytes, slab: read.identity, offset: offset)
        }
        return nil
    }

    /// The index of a slab, from the cache or read once. nil when the slab does not exist.
    func index(of loc: TileLocation, forceReload: Bool) throws -> SlabIndex? {
        guard let identity = try storage.identity(loc.key) else { indexes.remove(loc.key); return nil }
        if !forceReload, let cached = indexes.get(loc.key, identity: identity) { return cached }
        let need = SlabIndex.byteCount(tiles: loc.tilesPerSlab)
        guard let head = try storage.readRange(loc.key, offset: 0, length: need) else { return nil }
        var key = loc.key, bytes = head
        // Object stores mark a link with a small object "SYMLINK#<tray>/<object>": follow it once.
        if head.bytes.readableBytes < need, head.bytes.readableBytes > 8,
           head.bytes.getString(at: head.bytes.readerIndex, length: 8) == "SYMLINK#",
           let target = head.bytes.getString(at: head.bytes.readerIndex + 8, length: head.bytes.readableBytes - 8) {
            key = target.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let linked = try storage.readRange(key, offset: 0, length: need) else { return nil }
            bytes = linked
        }
        let index = try SlabIndex(header: bytes.bytes, tiles: loc.tilesPerSlab, key: key, identity: bytes.identity)
        indexes.put(loc.key, index)
        return index
    }

    /// The tile from the tile cache when it was read less than its freshness ago, else `readTile` on NIO's
    /// blocking thread pool (and the answer cached).
    public func tile(level: String, col: Int, row: Int) async throws -> TileData? {
        guard let tiles, let key = cacheKey(level: level, col: col, row: row) else {
            return try await read(level: level, col: col, row: row)
        }
        if let cached = tiles.get(key) { return cached }
        let tile = try await read(level: level, col: col, row: row)
        tiles.put(key, tile)
        return tile
    }

    /// `readTile` through the tile cache, for callers already on a blocking thread (the raster WMS).
    public func readTileCached(level: String, col: Int, row: Int) throws -> TileData? {
        guard let tiles, let key = cacheKey(level: level, col: col, row: row) else {
            return try readTile(level: level, col: col, row: row)
        }
        if let cached = tiles.get(key) { return cached }
        let tile = try readTile(level: level, col: col, row: row)
        tiles.put(key, tile)
        return tile
    }

    /// The tile cache's key of a tile within the pyramid's limits.
    private func cacheKey(level: String, col: Int, row: Int) -> String? {
        guard let l = pyramid.level(level), l.limits.contains(col: col, row: row) else { return nil }
        let loc = location(level: l, col: col, row: row)
        return loc.key + "#" + String(loc.index)
    }

    private func read(level: String, col: Int, row: Int) async throws -> TileData? {
        let reader = self
        return try await storage.blockingPool.runIfActive { try reader.readTile(level: level, col: col, row: row) }
    }
}
