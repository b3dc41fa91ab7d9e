/// Values by key, bounded by the sum of their costs: when a `put` goes over `maxCost`, the least recently used
/// entries are evicted down to three quarters of it at once (amortised O(log n) per insertion). Not thread safe:
/// keep it inside a lock (`TileCache`, `DecodedTileCache`).
public struct BoundedLRU<Value> {
    private struct Entry {
        var value: Value
        var lastUse: UInt64
        var cost: Int
    }
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0
    public private(set) var totalCost = 0
    public let maxCost: Int

    public init(maxCost: Int) { self.maxCost = maxCost }

    public var count: Int { entries.count }

    /// The value, marked as just used.
    public mutating func get(_ key: String) -> Value? {
        guard var e = entries[key] else { return nil }
        clock += 1
        e.lastUse = clock
        entries[key] = e
        return e.value
    }

    /// The value without marking it used.
    public func peek(_ key: String) -> Value? { entries[key]?.value }

    public mutating func put(_ key: String, _ value: Value, cost: Int) {
        clock += 1
        if let old = entries[key] { totalCost -= old.cost }
        entries[key] = Entry(value: value, lastUse: clock, cost: cost)
        totalCost += cost
        guard totalCost > maxCost else { return }
        let target = maxCost * 3 / 4
        for (k, e) in entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) where totalCost > target && k != key {
            entries[k] = nil
            totalCost -= e.cost
        }
    }

    public mutating func remove(_ key: String) {
        if let old = entries.removeValue(forKey: key) { totalCost -= old.cost }
    }
}
