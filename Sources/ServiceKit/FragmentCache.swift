import Synchronization

/// Pieces of a large document rendered once and kept across configuration reloads: one per layer of a
/// capabilities document, keyed by everything the piece shows. After a one-file edit among thousands of layers,
/// the document is rebuilt from the pieces already rendered plus the one that changed.
///
/// Pieces not asked for during a whole generation are dropped at the next one (the layers that left).
public final class FragmentCache<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var generation = -1
        var current: [Key: String] = [:]
        var previous: [Key: String] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The piece for `key`, from the cache or made by `render`.
    public func fragment(_ key: Key, generation: Int, render: () throws -> String) rethrows -> String {
        let hit = state.withLock { s -> String? in
            if s.generation != generation {
                if !s.current.isEmpty { s.previous = s.current }
                s.current = [:]
                s.generation = generation
            }
            guard let f = s.current[key] ?? s.previous[key] else { return nil }
            s.current[key] = f
            return f
        }
        if let hit { return hit }
        let made = try render()
        state.withLock { s in if s.generation == generation { s.current[key] = made } }
        return made
    }
}
