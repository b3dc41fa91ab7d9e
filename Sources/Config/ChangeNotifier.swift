#if canImport(Glibc)
import Glibc
#endif

/// Linux's inotify on the watched folders: tells, without a scan, that something in them changed. The
/// `DirectoryWatcher` then scans once to see what; with thousands of files this is what keeps an idle server idle.
/// inotify does not see changes made by another machine on a network file system: the watcher still scans now and
/// then (`DirectoryWatcher.fullScanInterval`).
final class ChangeNotifier: @unchecked Sendable {
    // Used by the watcher's task only.
    private let fd: Int32
    private var watched: Set<String> = []

    /// nil when inotify is not available (then the watcher scans at every tick).
    init?() {
        #if canImport(Glibc)
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if fd < 0 { return nil }
        #else
        return nil
        #endif
    }

    deinit { close(fd) }

    /// Watches `directories` and their folders down to `depth` levels (what the scan visits).
    func watch(_ directories: [String], depth: Int = 3) {
        for d in directories { add(d, depth: depth) }
    }

    private func add(_ dir: String, depth: Int) {
        #if canImport(Glibc)
        if !watched.contains(dir) {
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
            guard inotify_add_watch(fd, dir, mask) >= 0 else { return }
            watched.insert(dir)
        }
        guard depth > 0, let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let entry = readdir(d) {
            guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") { continue }
            add(dir + "/" + name, depth: depth - 1)
        }
        #endif
    }

    /// Whether any event came since the last call (the events themselves are read and dropped).
    func drain() -> Bool {
        var any = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return any }
            any = true
        }
    }
}
