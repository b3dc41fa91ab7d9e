import Foundation
import Geo

/// Checks geometries with GEOS on worker threads, one GEOS context each, while the reader goes on reading and
/// encoding: validity is most of an import's client time (GEOS's noding of each polygon), so it runs beside the
/// reader instead of in line. Bounded: `submit` waits while more than `maxPendingBytes` of WKB are queued.
final class ValidityPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(key: Int64, wkb: [UInt8])] = []
    private var head = 0
    private var pendingBytes = 0
    private var closed = false
    private var running = 0
    private var invalid: [(key: Int64, reason: String)] = []
    private let maxPendingBytes: Int

    init(workers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount), maxPendingBytes: Int = 32 << 20) {
        self.maxPendingBytes = maxPendingBytes
        running = workers
        for i in 0..<workers {
            let t = Thread { [self] in work() }
            t.name = "passerelle-validity-\(i)"
            t.start()
        }
    }

    /// Queues a copy of `wkb` for checking.
    func submit(key: Int64, wkb: UnsafeRawBufferPointer) {
        let copy = [UInt8](wkb)
        condition.lock()
        while pendingBytes > maxPendingBytes { condition.wait() }
        queue.append((key, copy))
        pendingBytes += copy.count
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for every check and stops the workers; the invalid geometries, by key.
    func finish() -> [(key: Int64, reason: String)] {
        condition.lock()
        closed = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        let out = invalid.sorted { $0.key < $1.key }
        condition.unlock()
        return out
    }

    private func work() {
        let geos = GEOSContext()
        while true {
            condition.lock()
            while head == queue.count && !closed { condition.wait() }
            if head == queue.count {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let end = min(queue.count, head + 64)
            let batch = queue[head..<end]
            head = end
            if head > 4096 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            condition.unlock()

            var found: [(key: Int64, reason: String)] = []
            var bytes = 0
            for job in batch {
                bytes += job.wkb.count
                let reason: String?
                do { reason = try job.wkb.withUnsafeBytes { try geos.invalidityReason(wkb: $0) } } catch { reason = "\(error)" }
                if let reason { found.append((job.key, reason)) }
            }
            condition.lock()
            invalid += found
            pendingBytes -= bytes
            condition.broadcast()
            condition.unlock()
        }
    }
}
