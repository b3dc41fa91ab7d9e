import Foundation
import Logging
import Synchronization

/// Holds the current snapshot. Reads are a lock and a struct copy; a reload swaps the whole snapshot.
public final class ConfigStore: Sendable {
    private let state: Mutex<ConfigSnapshot>

    public init(_ initial: ConfigSnapshot) {
        state = Mutex(initial)
    }

    public var current: ConfigSnapshot { state.withLock { $0 } }

    /// The current generation alone (no copy of the snapshot).
    public var generation: Int { state.withLock { $0.generation } }

    public func replace(_ s: ConfigSnapshot) { state.withLock { $0 = s } }
}

/// Reloads a directory into a `ConfigStore`. What triggers a reload (a file change, SIGHUP, a test) is
/// separate: see `DirectoryWatcher`.
public actor Reloader {
    public let loader: ConfigLoader
    public let store: ConfigStore
    private let logger: Logger
    private var onReload: [@Sendable (ConfigSnapshot) -> Void] = []
    public private(set) var reloadCount = 0
    public private(set) var errorCount = 0

    public init(loader: ConfigLoader, store: ConfigStore, logger: Logger = Logger(label: "passerelle.config")) {
        self.loader = loader
        self.store = store
        self.logger = logger
    }

    /// Loads the directory once and makes it current.
    @discardableResult
    public static func initial(loader: ConfigLoader, logger: Logger = Logger(label: "passerelle.config")) async -> (Reloader, ConfigStore) {
        // The fingerprint is taken before the files are read, so a change made while they are read is seen
        // by the watcher's first comparison.
        let defaults = ConfigSnapshot(directory: loader.directory).watchedDirectories
        var before = DirectoryWatcher.fingerprint(defaults)
        var snap = await loader.load(previous: nil, signatures: before)
        // The styles may be in another folder than the default one (`../styles`, or as server.json says): the
        // fingerprint then covers the folders the watcher will scan, not the default one, or its first scan would
        // differ and reload for nothing.
        let others = snap.watchedDirectories.filter { !defaults.contains($0) }
        if !others.isEmpty {
            let watched = snap.watchedDirectories.map(\.path)
            before = before.filter { path, _ in watched.contains { path == $0 || path.hasPrefix($0 + "/") } }
            before.merge(DirectoryWatcher.fingerprint(others)) { a, _ in a }
        }
        snap.fingerprint = before
        let store = ConfigStore(snap)
        let r = Reloader(loader: loader, store: store, logger: logger)
        await r.report(snap)
        return (r, store)
    }

    public func addObserver(_ f: @escaping @Sendable (ConfigSnapshot) -> Void) { onReload.append(f) }

    /// Builds a new snapshot from the files as they are now and swaps it in. `fingerprint`: what the watcher
    /// just saw, when it triggered the reload (else the folders are scanned here). `checkAll`: check every
    /// configuration against its tables, styles and pyramids again, not only those that changed.
    @discardableResult
    public func reload(reason: String, fingerprint: [String: FileSignature]? = nil, checkAll: Bool = false) async -> ConfigSnapshot {
        let previous = store.current
        let before = fingerprint ?? DirectoryWatcher.fingerprint(previous.watchedDirectories)
        var snap = await loader.load(previous: previous, signatures: before, checkAll: checkAll)
        snap.fingerprint = before
        store.replace(snap)
        reloadCount += 1
        logger.info("config reloaded", metadata: [
            "reason": .string(reason), "generation": .stringConvertible(snap.generation),
            "offerings": .stringConvertible(snap.offerings.count), "issues": .stringConvertible(snap.issues.count),
        ])
        report(snap)
        for f in onReload { f(snap) }
        return snap
    }

    private func report(_ snap: ConfigSnapshot) {
        errorCount = snap.issues.count
        for issue in snap.issues {
            logger.error("config error", metadata: [
                "file": .string(issue.file), "path": .string(issue.path), "message": .string(issue.message),
                "stale": .stringConvertible(issue.stale),
            ])
        }
    }
}

/// Watches the config directory (and the styles and tile matrix set folders): a fingerprint of names, sizes,
/// modification times and inodes, which catches edits, deletions, renames and atomic `mv`s. It is taken when inotify
/// says something changed (`ChangeNotifier`) and at least every `fullScanInterval` (changes inotify does not see:
/// network file systems), or at every tick without inotify. Calls `onChange` when the fingerprint moves.
public final class DirectoryWatcher: Sendable {
    public let interval: Duration
    public let fullScanInterval: Duration

    public init(interval: Duration = .milliseconds(50), fullScanInterval: Duration = .seconds(5)) {
        self.interval = interval
        self.fullScanInterval = fullScanInterval
    }

    /// Runs until cancelled. `onChange` gets the fingerprint that differed (what the folders hold now).
    /// - Parameter since: the fingerprint the current state was loaded from (default: now).
    public func run(directories: @escaping @Sendable () -> [URL], since: [String: FileSignature]? = nil,
                    onChange: @escaping @Sendable ([String: FileSignature]) async -> Void) async {
        let notifier = ChangeNotifier()
        notifier?.watch(directories().map(\.path))
        var last = since ?? Self.fingerprint(directories())
        // The first tick scans: a change made before the folders were watched is seen too.
        var scanned = ContinuousClock.now - fullScanInterval
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let signalled = notifier?.drain() ?? true
            if !signalled && ContinuousClock.now - scanned < fullScanInterval { continue }
            scanned = .now
            let now = Self.fingerprint(directories())
            if now != last {
                last = now
                notifier?.watch(directories().map(\.path))   // new folders
                await onChange(now)
                // The reload read the files as they were after this fingerprint; a change made during the
                // reload shows in the next fingerprint and triggers another.
            }
        }
    }

    /// What the watched folders hold now: each file's path and signature, read with readdir and fstatat (tens of
    /// milliseconds for 20,000 files). Hidden and temporary files (`.x`, `x~`, `x.tmp`, `x.swp`) are left out, so
    /// an editor's or a script's temporary file does not trigger a reload before its rename does.
    public static func fingerprint(_ dirs: [URL]) -> [String: FileSignature] {
        var out: [String: FileSignature] = [:]
        for dir in dirs {
            let path = dir.path
            guard let top = FileSignature(path: path) else { out[path] = .missing; continue }
            guard top.isDirectory else { out[path] = top; continue }
            scan(path, depth: 0, into: &out)
        }
        return out
    }

    private static func scan(_ dir: String, depth: Int, into out: inout [String: FileSignature]) {
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        let fd = dirfd(d)
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if isTemporary(name) { continue }
            var st = stat()
            guard fstatat(fd, name, &st, 0) == 0 else { continue }
            let sig = FileSignature(st)
            let full = dir + "/" + name
            if sig.isDirectory {
                if depth < 3 { scan(full, depth: depth + 1, into: &out) }
            } else {
                out[full] = sig
            }
        }
    }
}

extension DirectoryWatcher {
    /// Names that editors and scripts write before renaming them into place.
    static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix("~") || name.hasSuffix(".tmp") || name.hasSuffix(".swp") || name.hasSuffix(".part")
    }
}

/// A file's identity as far as change detection goes: size, modification time and inode (an atomic `mv` changes
/// the inode even when size and time do not).
public struct FileSignature: Sendable, Equatable {
    public var size: Int64
    public var seconds: Int
    public var nanoseconds: Int
    public var inode: UInt64
    public var isDirectory: Bool

    public static let missing = FileSignature(size: -1, seconds: 0, nanoseconds: 0, inode: 0, isDirectory: false)

    init(size: Int64, seconds: Int, nanoseconds: Int, inode: UInt64, isDirectory: Bool) {
        self.size = size; self.seconds = seconds; self.nanoseconds = nanoseconds; self.inode = inode; self.isDirectory = isDirectory
    }

    init(_ st: stat) {
        self.init(size: Int64(st.st_size), seconds: st.st_mtim.tv_sec, nanoseconds: st.st_mtim.tv_nsec,
                  inode: UInt64(st.st_ino), isDirectory: (st.st_mode & S_IFMT) == S_IFDIR)
    }

    /// The signature of a path, nil when it cannot be read.
    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        self.init(st)
    }
}
