import Foundation

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

    /// Runs `body` on a pool thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            let accepted = enqueue {
                do { cont.resume(returning: try body()) } catch { cont.resume(throwing: error) }
            }
            if !accepted { cont.resume(throwing: QueueFull()) }
        }
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
