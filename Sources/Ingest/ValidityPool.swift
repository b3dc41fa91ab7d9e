import Foundation
import Geo

/// Checks geometries with GEOS on worker threads, one GEOS context each, while the reader goes on reading and
/// encoding: validity is most of an import's client time (GEOS's noding of each polygon), so it runs beside the
/// reader instead of in line. The workers run at a lower scheduling priority (nice 10): the database's COPY is
/// the import's critical path, and checks are only needed once the rows are in, so on a machine with few
/// cores they take the CPU the reader and PostgreSQL leave rather than slowing them down (the importer
/// builds the keys and indexes while the last checks finish). Geometries are copied into batches of about `batchBytes` (one allocation per batch,
/// not per feature). Bounded: `submit` waits while more than `maxPendingBytes` of WKB are queued.
final class ValidityPool: @unchecked Sendable {
    /// WKB geometries back to back, with each one's key and end offset.
    private struct Batch {
        var bytes: [UInt8] = []
        var keys: [Int64] = []
        var ends: [Int] = []
    }

    private let condition = NSCondition()
    private var queue: [Batch] = []
    private var head = 0
    private var pendingBytes = 0
    private var closed = false
    private var running = 0
    private var invalid: [(key: Int64, reason: String)] = []
    private let maxPendingBytes: Int
    private let batchBytes: Int
    /// The batch being filled (by the reader's thread only).
    private var filling = Batch()

    init(workers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount), maxPendingBytes: Int = 32 << 20,
         batchBytes: Int = 256 << 10) {
        self.maxPendingBytes = maxPendingBytes
        self.batchBytes = batchBytes
        running = workers
        for i in 0..<workers {
            let t = Thread { [self] in work() }
            t.name = "passerelle-validity-\(i)"
            t.start()
        }
    }

    /// Queues a copy of `wkb` for checking.
    func submit(key: Int64, wkb: UnsafeRawBufferPointer) {
        if filling.bytes.isEmpty { filling.bytes.reserveCapacity(batchBytes + wkb.count) }
        filling.bytes.append(contentsOf: wkb)
        filling.keys.append(key)
        filling.ends.append(filling.bytes.count)
        if filling.bytes.count >= batchBytes { enqueueFilling() }
    }

    private func enqueueFilling() {
        guard !filling.keys.isEmpty else { return }
        let batch = filling
        filling = Batch()
        condition.lock()
        while pendingBytes > maxPendingBytes { condition.wait() }
        queue.append(batch)
        pendingBytes += batch.bytes.count
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for every check and stops the workers; the invalid geometries, by key.
    func finish() -> [(key: Int64, reason: String)] {
        enqueueFilling()
        condition.lock()
        closed = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        let out = invalid.sorted { $0.key < $1.key }
        condition.unlock()
        return out
    }

    private func work() {
        // On Linux the nice value is per thread, and `who` 0 is the calling thread: this worker only.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
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
            let batch = queue[head]
            queue[head] = Batch()
            head += 1
            if head > 64 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            condition.unlock()

            var found: [(key: Int64, reason: String)] = []
            batch.bytes.withUnsafeBytes { all in
                var start = 0
                for (key, end) in zip(batch.keys, batch.ends) {
                    let reason: String?
                    do { reason = try geos.invalidityReason(wkb: UnsafeRawBufferPointer(rebasing: all[start..<end])) } catch { reason = "\(error)" }
                    if let reason { found.append((key, reason)) }
                    start = end
                }
            }
            condition.lock()
            invalid += found
            pendingBytes -= batch.bytes.count
            condition.broadcast()
            condition.unlock()
        }
    }
}
