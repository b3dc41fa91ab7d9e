import Foundation

/// Runs `jobs` worker threads; each calls `next()` for the next item until there is none. The first error
/// stops the hand-out of items and is rethrown once every worker has finished.
final class WorkerPool: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var failure: (any Error)?
    let count: Int

    init(count: Int) { self.count = count }

    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard failure == nil, nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func fail(_ e: any Error) {
        lock.lock(); defer { lock.unlock() }
        if failure == nil { failure = e }
    }

    /// `worker(index)` runs on its own thread (8 MB stack) and loops over `next()`.
    static func run(items: Int, jobs: Int, worker: @escaping @Sendable (WorkerPool, Int) throws -> Void) throws {
        let pool = WorkerPool(count: items)
        let n = max(1, min(jobs, items))
        let group = DispatchGroup()
        for w in 0..<n {
            group.enter()
            let t = Thread {
                do { try worker(pool, w) } catch { pool.fail(error) }
                group.leave()
            }
            t.stackSize = 8 << 20
            t.start()
        }
        group.wait()
        if let f = pool.failure { throw f }
    }
}

/// Progress of a build: a bar with ETA rewritten in place on a terminal, plain lines every few seconds in logs.
final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let tty = isatty(2) != 0
    private let quiet: Bool
    private var total = 0, done = 0, skipped = 0
    private var level = ""
    private var start = Date()
    private var lastPrint = Date.distantPast

    init(label: String, quiet: Bool = false) { self.label = label; self.quiet = quiet }

    func begin(level: String, slabs: Int) {
        lock.lock(); defer { lock.unlock() }
        self.level = level; total = slabs; done = 0; skipped = 0; start = Date(); lastPrint = .distantPast
        emit(force: true)
    }

    func advance(skipped s: Bool = false) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        if s { skipped += 1 }
        emit(force: done == total)
    }

    private func emit(force: Bool) {
        guard !quiet else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastPrint) >= (tty ? 0.2 : 5) else { return }
        lastPrint = now
        let el = now.timeIntervalSince(start)
        let pct = total == 0 ? 100 : Double(done) * 100 / Double(total)
        let worked = done - skipped
        let eta = worked > 0 ? el / Double(worked) * Double(total - done) : 0
        let skip = skipped > 0 ? ", \(skipped) already done" : ""
        let text = String(format: "%@: level %@ %d/%d slabs (%.0f%%%@), %.1f s, ETA %.0f s", label, level, done, total, pct, skip, el, eta)
        if tty {
            let width = 24, filled = Int(pct / 100 * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data(("\r[\(bar)] \(text)\u{1B}[K" + (done == total ? "\n" : "")).utf8))
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    func line(_ s: String) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}
