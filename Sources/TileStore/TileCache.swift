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
        var lastUse: UInt64
        var cost: Int
    }
    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }
    private let state = Mutex(State())
    public let maxBytes: Int
    public let freshness: Duration

    public init(maxBytes: Int = 64 << 20, freshness: Duration = .seconds(1)) {
        self.maxBytes = maxBytes
        self.freshness = freshness
    }

    /// `.some(tile)` when a fresh entry is cached (`tile` nil for "no data"); nil when the tile must be read.
    public func get(_ key: String, now: ContinuousClock.Instant = .now) -> TileData?? {
        state.withLock { s in
            guard var e = s.entries[key], now - e.readAt < freshness else { return nil }
            s.clock += 1
            e.lastUse = s.clock
            s.entries[key] = e
            return .some(e.tile)
        }
    }

    public func put(_ key: String, _ tile: TileData?, now: ContinuousClock.Instant = .now) {
        let cost = (tile?.bytes.readableBytes ?? 0) + key.utf8.count + 96
        guard cost <= maxBytes / 64 else { remove(key); return }
        state.withLock { s in
            s.clock += 1
            if let old = s.entries[key] { s.bytes -= old.cost }
            s.entries[key] = Entry(tile: tile, readAt: now, lastUse: s.clock, cost: cost)
            s.bytes += cost
            if s.bytes > maxBytes {
                // Evict the least recently used quarter at once: amortised O(log n) per insertion.
                let target = maxBytes * 3 / 4
                for (k, e) in s.entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) where s.bytes > target && k != key {
                    s.entries[k] = nil
                    s.bytes -= e.cost
                }
            }
        }
    }

    public func remove(_ key: String) {
        state.withLock { s in
            if let old = s.entries.removeValue(forKey: key) { s.bytes -= old.cost }
        }
    }

    public var statistics: (entries: Int, bytes: Int) {
        state.withLock { ($0.entries.count, $0.bytes) }
    }
}
