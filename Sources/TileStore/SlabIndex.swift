import NIOCore

/// The tile index of one slab: offset and byte count of each tile (§5 of the format note).
public struct SlabIndex: Sendable {
    /// The key the tiles are read from (the link target when the slab was a `SYMLINK#` object).
    public var key: String
    public var identity: SlabIdentity
    public var offsets: [UInt32]
    public var sizes: [UInt32]

    public static let headerSize = 2048

    public static func byteCount(tiles n: Int) -> Int { headerSize + 8 * n }

    /// Parses the first `2048 + 8N` bytes of a slab, checking them against the slab's size.
    public init(header: ByteBuffer, tiles n: Int, key: String, identity: SlabIdentity) throws {
        let need = Self.byteCount(tiles: n)
        guard header.readableBytes >= need else {
            throw TileStoreError.corruptSlab(key, "truncated: the header and index need \(need) bytes, the slab has \(header.readableBytes)")
        }
        let r = header.readerIndex
        guard header.getInteger(at: r, endianness: .little, as: UInt16.self) == 0x4949,
              header.getInteger(at: r + 2, endianness: .little, as: UInt16.self) == 42 else {
            throw TileStoreError.corruptSlab(key, "not a little-endian TIFF header")
        }
        var offsets = [UInt32](), sizes = [UInt32]()
        offsets.reserveCapacity(n); sizes.reserveCapacity(n)
        for i in 0..<n {
            offsets.append(header.getInteger(at: r + Self.headerSize + 4 * i, endianness: .little, as: UInt32.self)!)
            sizes.append(header.getInteger(at: r + Self.headerSize + 4 * n + 4 * i, endianness: .little, as: UInt32.self)!)
        }
        self.key = key; self.identity = identity; self.offsets = offsets; self.sizes = sizes
    }

    /// Memory the index takes in the cache.
    var cost: Int { 8 * offsets.count + key.utf8.count + 96 }
}
