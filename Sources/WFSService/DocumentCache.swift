import Synchronization

/// Rendered documents (capabilities) by key; the key carries the config generation, so a reload makes old
/// entries unreachable, and the cache is emptied when it grows past a bound.
final class DocumentCache: Sendable {
    private let entries = Mutex<[String: [UInt8]]>([:])
    private let maxEntries = 256

    func get(_ key: String) -> [UInt8]? { entries.withLock { $0[key] } }

    func put(_ key: String, _ doc: [UInt8]) {
        entries.withLock { e in
            if e.count >= maxEntries { e.removeAll() }
            e[key] = doc
        }
    }
}
