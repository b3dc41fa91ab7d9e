import Foundation
import Logging
import Synchronization

/// Log lines to standard error, in the format of swift-log's `StreamLogHandler`, written in batches: `info` and
/// below (the access log: one line per request) are buffered and written by a background thread every 100 ms or
/// when 64 KiB are waiting; `notice` and above are written at once, after what is buffered, so that order holds
/// and a problem is never held back. One `write` per batch instead of one per request.
public struct BufferedLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let writer: BufferedStderr

    public init(label: String, writer: BufferedStderr = .shared) {
        self.label = label; self.writer = writer
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        var all = explicit ?? [:]
        if !metadata.isEmpty || metadataProvider != nil {
            all = metadata
            if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
            if let explicit { all.merge(explicit) { _, new in new } }
        }
        var text = writer.timestamp()
        text += " \(level) \(label):"
        for (k, v) in all.sorted(by: { $0.key < $1.key }) { text += " \(k)=\(v)" }
        text += " [\(source)] \(message)\n"
        writer.append(text, urgent: level >= .notice)
    }
}

/// The buffer behind `BufferedLogHandler`: one per process, flushed by its own thread and at exit.
public final class BufferedStderr: Sendable {
    public static let shared = BufferedStderr()

    private struct State {
        var buffer: [UInt8] = []
        var second = 0
        var stamp = ""
    }
    private let state = Mutex(State())
    private let writing = Mutex(())
    private let limit = 64 * 1024

    private init() {
        let thread = Thread { [unowned self] in
            while true {
                usleep(100_000)
                self.flush()
            }
        }
        thread.name = "passerelle-log"
        thread.start()
        atexit { BufferedStderr.shared.flush() }
    }

    /// The local time to the second, formatted once per second (`2026-11-23T15:58:15+0000`).
    func timestamp() -> String {
        var now = time_t()
        time(&now)
        let second = Int(now)
        if let s = state.withLock({ $0.second == second ? $0.stamp : nil }) { return s }
        var tm = tm()
        localtime_r(&now, &tm)
        var buf = [Int8](repeating: 0, count: 64)
        let n = strftime(&buf, buf.count, "%Y-%m-%dT%H:%M:%S%z", &tm)
        let s = String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        state.withLock { $0.second = second; $0.stamp = s }
        return s
    }

    func append(_ line: String, urgent: Bool) {
        let full = state.withLock { st in
            st.buffer.append(contentsOf: line.utf8)
            return st.buffer.count >= limit
        }
        if urgent || full { flush() }
    }

    /// Writes what is buffered now. Batches are taken and written under one lock, so they reach the file in order.
    public func flush() {
        writing.withLock { _ in
            let out: [UInt8] = state.withLock { st in
                defer { st.buffer.removeAll(keepingCapacity: true) }
                return st.buffer
            }
            if !out.isEmpty { Self.write(out) }
        }
    }

    private static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(2, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return }
                done += n
            }
        }
    }
}
