import Foundation
import Synchronization

/// A fixed set of threads for CPU-bound drawing and encoding, so that rendering never runs on the event loop
/// or blocks the cooperative pool. Jobs beyond `maxQueue` waiting ones are refused (the server answers 503).
public final class RenderPool: @unchecked Sendable {
    public let threadCount: Int
    public let maxQueue: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [@Sendable () -> Void] = []

    /// One pool for the process, sized to the cores.
    public static let shared = RenderPool()

    public init(threads: Int = 0, maxQueue: Int = 64) {
        threadCount = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
        self.maxQueue = maxQueue
        for i in 0..<threadCount {
            let t = Thread { [self] in self.work() }
            t.name = "passerelle-render-\(i)"
            t.start()
        }
    }

    public struct QueueFull: Error, CustomStringConvertible {
        public var description: String { "too many rendering requests are waiting" }
    }

    /// Runs `body` on a pool thread and returns its result. A task cancelled while its job waits (its client
    /// left) gets `CancellationError` at once, and the job is dropped without drawing; once the job runs, `body`
    /// sees the cancellation through `RenderJob.isCancelled` and may stop early.
    public func run<T: Sendable>(_ body: @escaping @Sendable (RenderJob) throws -> T) async throws -> T {
        try Task.checkCancellation()
        let job = RenderJob()
        let waiting = Mutex<CheckedContinuation<T, any Error>?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
                waiting.withLock { $0 = cont }
                let accepted = enqueue {
                    // Taken by whoever comes first: this job, or the cancellation.
                    guard let cont = waiting.withLock({ $0.take() }) else { return }
                    do { cont.resume(returning: try body(job)) } catch { cont.resume(throwing: error) }
                }
                if !accepted, let cont = waiting.withLock({ $0.take() }) { cont.resume(throwing: QueueFull()) }
            }
        } onCancel: {
            job.cancel()
            waiting.withLock { $0.take() }?.resume(throwing: CancellationError())
        }
    }

    /// `run` for work that does not look at its cancellation.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run { (_: RenderJob) in try body() }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard jobs.count < maxQueue else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// The running job's view of its request: cancelled when the client left.
public final class RenderJob: Sendable {
    private let cancelled = Mutex(false)

    public init() {}

    public var isCancelled: Bool { cancelled.withLock { $0 } }

    func cancel() { cancelled.withLock { $0 = true } }
}
