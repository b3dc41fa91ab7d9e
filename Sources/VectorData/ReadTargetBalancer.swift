import Synchronization

/// Which database a read goes to, for a PostgreSQL store with read replicas. Target 0 is the primary, targets 1…n
/// the replicas. A read goes to the replica that is up with the fewest reads in flight (ties in turn, round-robin),
/// and to the primary when no replica is up; a target that failed at the connection level is marked down and left
/// out until `markUp` (a probe found it back). The primary is never left out: it is the last resort, even when it
/// is down itself (the store's `StoreBreaker` answers for that case).
/// Holds only counts and flags; the connections are the `PostgresReadTarget`s'.
public final class ReadTargetBalancer: Sendable {
    private struct Target {
        var name: String
        var downSince: ContinuousClock.Instant?
        var reason = ""
        var inFlight = 0
        var served = 0
    }
    private struct State {
        var targets: [Target]
        var nextTurn = 0
    }
    private let state: Mutex<State>

    /// - Parameter names: the primary's name first, then each replica's (the environment variable names).
    public init(names: [String]) {
        precondition(!names.isEmpty, "a balancer needs the primary")
        state = Mutex(State(targets: names.map { Target(name: $0) }))
    }

    public var count: Int { state.withLock { $0.targets.count } }

    /// The targets to try for one read, best first: the replicas that are up by fewest reads in flight, then the
    /// primary. `excluding`: targets this read already tried.
    public func order(excluding: Set<Int> = []) -> [Int] {
        state.withLock { s in
            let n = s.targets.count
            let turn = s.nextTurn
            if n > 1 { s.nextTurn = (turn + 1) % (n - 1) }
            // Replicas that are up, rotated by the turn so that equal loads alternate, then by load.
            let replicas = (0..<max(0, n - 1)).map { 1 + (turn + $0) % (n - 1) }
                .filter { s.targets[$0].downSince == nil && !excluding.contains($0) }
            let byLoad = replicas.enumerated().sorted { a, b in
                let la = s.targets[a.element].inFlight, lb = s.targets[b.element].inFlight
                return la != lb ? la < lb : a.offset < b.offset
            }.map(\.element)
            return byLoad + (excluding.contains(0) ? [] : [0])
        }
    }

    /// A read starts on `target`.
    public func began(_ target: Int) {
        state.withLock { s in
            s.targets[target].inFlight += 1
            s.targets[target].served += 1
        }
    }

    /// A read on `target` is over (its rows read or dropped).
    public func ended(_ target: Int) {
        state.withLock { s in s.targets[target].inFlight = max(0, s.targets[target].inFlight - 1) }
    }

    /// `target` could not be reached, or lost its connection: left out until `markUp`. Returns true when this
    /// call marked it down (it was up).
    @discardableResult
    public func markDown(_ target: Int, reason: String, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { s in
            s.targets[target].reason = reason
            guard s.targets[target].downSince == nil else { return false }
            s.targets[target].downSince = now
            return true
        }
    }

    /// `target` answers again.
    public func markUp(_ target: Int) {
        state.withLock { s in
            s.targets[target].downSince = nil
            s.targets[target].reason = ""
        }
    }

    public func isUp(_ target: Int) -> Bool { state.withLock { $0.targets[target].downSince == nil } }

    /// The targets marked down.
    public var downTargets: [Int] { state.withLock { s in s.targets.indices.filter { s.targets[$0].downSince != nil } } }

    /// Each target's name, state and counts, primary first.
    public var status: [ReadTargetStatus] {
        state.withLock { s in
            s.targets.enumerated().map { i, t in
                ReadTargetStatus(name: t.name, role: i == 0 ? .primary : .replica, up: t.downSince == nil,
                                 reason: t.downSince == nil ? nil : t.reason, inFlight: t.inFlight, reads: t.served)
            }
        }
    }
}
