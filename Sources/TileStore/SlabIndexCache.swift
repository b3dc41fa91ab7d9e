import Synchronization

/// A bounded LRU of slab indexes, keyed by slab key and checked against the slab's identity, so a replaced
/// slab is read again. Bounded by the bytes the indexes take.
public final class SlabIndexCache: Sendable {
    private struct Entry {
        var index: SlabIndex
        var lastUse: UInt64
    }
    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var hits = 0
        var misses = 0
    }
    private let state = Mutex(State())
    public let maxBytes: Int

    public init(maxBytes: Int = 32 << 20) { self.maxBytes = maxBytes }

    /// The cached index of `key` if it was read from a slab with this identity.
    public func get(_ key: String, identity: SlabIdentity) -> SlabIndex? {
        state.withLock { s in
            s.clock += 1
            guard var e = s.entries[key], e.index.identity == identity else { s.misses += 1; return nil }
            e.lastUse = s.clock
            s.entries[key] = e
            s.hits += 1
            return e.index
        }
    }

    public func put(_ key: String, _ index: SlabIndex) {
        state.withLock { s in
            s.clock += 1
            if let old = s.entries[key] { s.bytes -= old.index.cost }
            s.entries[key] = Entry(index: index, lastUse: s.clock)
            s.bytes += index.cost
            if s.bytes > maxBytes {
                // Evict the least recently used quarter at once: amortised O(1) per insertion.
                let victims = s.entries.sorted { $0.value.lastUse < $1.value.lastUse }
                var target = maxBytes * 3 / 4
                if target < 0 { target = 0 }
                for (k, e) in victims where s.bytes > target && k != key {
                    s.entries[k] = nil
                    s.bytes -= e.index.cost
                }
            }
        }
    }

    public func remove(_ key: String) {
        state.withLock { s in
            if let old = s.entries.removeValue(forKey: key) { s.bytes -= old.index.cost }
        }
    }

    public var statistics: (entries: Int, bytes: Int, hits: Int, misses: Int) {
        state.withLock { ($0.entries.count, $0.bytes, $0.hits, $0.misses) }
    }
}
