import Synchronization

/// Fails fast while a store is known to be down. After a failure that says the store cannot be reached, requests
/// are refused at once (`VectorDataError.unavailable`, a 503 with Retry-After) instead of each waiting out the
/// connection timeout; one request every `probeInterval` goes through as a probe, and the first that succeeds
/// closes the breaker again — within `probeInterval` of the store's recovery while requests keep coming.
public final class StoreBreaker: Sendable {
    public let probeInterval: Duration
    private struct State {
        var downSince: ContinuousClock.Instant?
        var lastProbe: ContinuousClock.Instant?
        var reason = ""
    }
    private let state = Mutex(State())

    public init(probeInterval: Duration = .milliseconds(500)) {
        self.probeInterval = probeInterval
    }

    /// Throws when the store is down and it is not yet time for a probe; else lets the request through.
    public func admit(now: ContinuousClock.Instant = .now) throws(VectorDataError) {
        let refused: String? = state.withLock { s in
            guard s.downSince != nil else { return nil }
            if let last = s.lastProbe, now - last < probeInterval { return s.reason }
            s.lastProbe = now
            return nil
        }
        if let reason = refused { throw VectorDataError.unavailable("the database is down (\(reason)); retrying") }
    }

    /// A request reached the store.
    public func succeeded() {
        state.withLock { s in
            if s.downSince != nil { s = State() }
        }
    }

    /// A request could not reach the store.
    public func failed(_ reason: String, now: ContinuousClock.Instant = .now) {
        state.withLock { s in
            if s.downSince == nil { s.downSince = now }
            s.lastProbe = now
            s.reason = reason
        }
    }

    public var isOpen: Bool { state.withLock { $0.downSince != nil } }
}
