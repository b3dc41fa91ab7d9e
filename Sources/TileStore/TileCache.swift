import NIOCore
import Synchronization

/// Recently served tiles (and "no data" answers) in memory, keyed by slab and place in the slab, bounded by
/// bytes (least recently used out first). An entry is trusted for `freshness` after the read that made it, with
/// no system call at all; after that the tile is read again through the slab index, which checks the slab's
/// identity, so a replaced slab is served within `freshness`. Tiles larger than `maxBytes / 64` are not kept.
public final class TileCache: Sendable {
    private struct Entry {
        var tile: TileData?
        var readAt: ContinuousClock.Instant
    }
    private let state: Mutex<BoundedLRU<Entry>>
    public let maxBytes: Int
    public let freshness: Duration

    public init(maxBytes: Int = 64 << 20, freshness: Duration = .seconds(1)) {
        self.maxBytes = maxBytes
        self.freshness = freshness
        self.state = Mutex(BoundedLRU(maxCost: maxBytes))
    }

    /// `.some(tile)` when a fresh entry is cached (`tile` nil for "no data"); nil when the tile must be read.
    public func get(_ key: String, now: ContinuousClock.Instant = .now) -> TileData?? {
        state.withLock { s in
            guard let e = s.peek(key), now - e.readAt < freshness else { return nil }
            return .some(s.get(key)!.tile)
        }
    }

    public func put(_ key: String, _ tile: TileData?, now: ContinuousClock.Instant = .now) {
        let cost = (tile?.bytes.readableBytes ?? 0) + key.utf8.count + 96
        guard cost <= maxBytes / 64 else { remove(key); return }
        state.withLock { $0.put(key, Entry(tile: tile, readAt: now), cost: cost) }
    }

    public func remove(_ key: String) {
        state.withLock { $0.remove(key) }
    }

    public var statistics: (entries: Int, bytes: Int) {
        state.withLock { ($0.count, $0.totalCost) }
    }
}
