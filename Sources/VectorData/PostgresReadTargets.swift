import Logging
import PostgresNIO
import Synchronization

/// The databases a PostgreSQL store reads from: the primary and its read replicas, each with its pool, and the
/// balancer that picks one per read. A read that fails at the connection level before any row is tried again on
/// the next target, and the target that failed is marked down (a replica whose pool gives no connection in time is
/// probed first: it may only be busy); replicas marked down are probed in the background
/// every `probeInterval` (on a connection of their own) and taken back, with a fresh pool, once one answers. The
/// primary is never left out, so a store without replicas behaves as before.
final class PostgresReadTargets: Sendable {
    let targets: [PostgresReadTarget]
    let balancer: ReadTargetBalancer
    private let logger: Logger
    /// How often a replica marked down is probed.
    let probeInterval: Duration
    /// How long a read waits for a connection of the primary, and of a replica (shorter: another target can take it).
    private let primaryLeaseTimeout: Duration
    private let replicaLeaseTimeout: Duration
    private let prober = Mutex<Task<Void, Never>?>(nil)
    /// Replicas being probed after a read waited too long for one of their connections.
    private let suspects = Mutex<Set<Int>>([])

    init(primary: PostgresReadTarget, replicas: [PostgresReadTarget], logger: Logger, probeInterval: Duration = .seconds(1),
         primaryLeaseTimeout: Duration = .seconds(8), replicaLeaseTimeout: Duration = .seconds(3)) {
        targets = [primary] + replicas
        balancer = ReadTargetBalancer(names: targets.map(\.name))
        self.logger = logger
        self.probeInterval = probeInterval
        self.primaryLeaseTimeout = primaryLeaseTimeout
        self.replicaLeaseTimeout = replicaLeaseTimeout
    }

    var primary: PostgresReadTarget { targets[0] }

    /// Runs `query` on the best target not in `excluding`, trying the next one after a connection-level failure.
    /// The read counts as in flight on the target returned until `ended(target)`.
    func query(_ query: PostgresQuery, excluding: Set<Int> = []) async throws -> (rows: PostgresRowSequence, target: Int) {
        var tried = excluding
        var lastError: any Error = VectorDataError.unavailable("no database left to read from")
        while let t = balancer.order(excluding: tried).first {
            tried.insert(t)
            guard let client = targets[t].client else { throw VectorDataError.unavailable("the store is closed") }
            balancer.began(t)
            do {
                let logger = self.logger
                let rows = try await withDeadline(t == 0 ? primaryLeaseTimeout : replicaLeaseTimeout) {
                    try await client.query(query, logger: logger)
                }
                if t == 0 { balancer.markUp(0) }
                return (rows, t)
            } catch let wait as ConnectionWaitTimeout where t > 0 {
                // Unreachable, or only busy? A probe on a connection of its own tells, in the background; this
                // read moves on to the next database either way.
                balancer.ended(t)
                suspect(t)
                lastError = PostGISSource.mapError(wait)
                if Task.isCancelled { throw CancellationError() }
            } catch {
                balancer.ended(t)
                let mapped = PostGISSource.mapError(error)
                guard case VectorDataError.unavailable(let reason) = mapped, !Task.isCancelled else { throw mapped }
                failed(t, reason: reason)
                lastError = mapped
            }
        }
        throw lastError
    }

    /// A read on `target` is over.
    func ended(_ target: Int) { balancer.ended(target) }

    /// `target` failed at the connection level: left out (a replica, until a probe finds it back).
    func failed(_ target: Int, reason: String) {
        if balancer.markDown(target, reason: reason), target > 0 {
            logger.warning("read replica \(targets[target].name) is down, reads go elsewhere: \(reason)")
        }
        if target > 0 { startProbing() }
    }

    /// Probes a replica whose pool gave no connection in time, once at a time: marked down if it does not answer.
    private func suspect(_ target: Int) {
        let first = suspects.withLock { $0.insert(target).inserted }
        guard first else { return }
        Task { [self] in
            if let reason = await targets[target].probe(timeout: probeInterval) { failed(target, reason: reason) }
            suspects.withLock { _ = $0.remove(target) }
        }
    }

    private func startProbing() {
        prober.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in await self.probeLoop() }
        }
    }

    /// Probes the replicas marked down until none is left; ends by itself then.
    private func probeLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: probeInterval)
            let down: [Int] = prober.withLock { task in
                let down = balancer.downTargets.filter { $0 > 0 }
                if down.isEmpty || Task.isCancelled { task = nil }
                return down
            }
            if down.isEmpty || Task.isCancelled { return }
            for t in down {
                if await targets[t].probe(timeout: probeInterval) == nil {
                    targets[t].renewPool()
                    balancer.markUp(t)
                    logger.warning("read replica \(targets[t].name) is back, reads go to it again")
                }
            }
        }
    }

    /// Probes every replica now: marks down those that do not answer, takes back those marked down that do.
    func probeReplicas() async {
        await withTaskGroup(of: Void.self) { group in
            for t in targets.indices.dropFirst() {
                group.addTask { [self] in
                    if let reason = await targets[t].probe(timeout: probeInterval) {
                        failed(t, reason: reason)
                    } else if !balancer.isUp(t) {
                        targets[t].renewPool()
                        balancer.markUp(t)
                    }
                }
            }
        }
    }

    /// Stops the probes and every pool.
    func close() {
        prober.withLock { task in
            task?.cancel()
            task = nil
        }
        for t in targets { t.close() }
    }
}
