import Synchronization

/// Values worth keeping across configuration reloads, by key: a table's schema, the rendered piece of one layer
/// in a capabilities document. A reload (a new generation) keeps every value; values not asked for during a whole
/// generation are dropped at the next one (the layers and tables that left).
public final class GenerationCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var generation = -1
        var current: [Key: Value] = [:]
        var previous: [Key: Value] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The value kept for `key`, when `isValid` accepts it (kept in the current generation), else nil.
    public func value(_ key: Key, generation: Int, isValid: (Value) -> Bool = { _ in true }) -> Value? {
        state.withLock { s in
            if s.generation != generation {
                if !s.current.isEmpty { s.previous = s.current }
                s.current = [:]
                s.generation = generation
            }
            guard let v = s.current[key] ?? s.previous[key], isValid(v) else { return nil }
            s.current[key] = v
            return v
        }
    }

    /// Keeps `value` for `key`, unless a newer generation started meanwhile.
    public func store(_ value: Value, for key: Key, generation: Int) {
        state.withLock { s in if s.generation == generation { s.current[key] = value } }
    }

    /// The value kept for `key`, or the one `make` makes (and keeps).
    public func value(_ key: Key, generation: Int, make: () throws -> Value) rethrows -> Value {
        if let v = value(key, generation: generation) { return v }
        let made = try make()
        store(made, for: key, generation: generation)
        return made
    }
}
