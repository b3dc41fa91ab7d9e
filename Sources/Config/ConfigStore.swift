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
        let before = DirectoryWatcher.fingerprint(ConfigSnapshot(directory: loader.directory).watchedDirectories)
        var snap = await loader.load(previous: nil)
        snap.fingerprint = before
        let store = ConfigStore(snap)
        let r = Reloader(loader: loader, store: store, logger: logger)
        await r.report(snap)
        return (r, store)
    }

    public func addObserver(_ f: @escaping @Sendable (ConfigSnapshot) -> Void) { onReload.append(f) }

    /// Builds a new snapshot from the files as they are now and swaps it in.
    @discardableResult
    public func reload(reason: String) async -> ConfigSnapshot {
        let previous = store.current
        let before = DirectoryWatcher.fingerprint(previous.watchedDirectories)
        var snap = await loader.load(previous: previous)
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

/// Watches the config directory (and the styles and tile matrix set folders) by polling a fingerprint of
/// names, sizes, modification times and inodes, which catches edits, deletions, renames and atomic `mv`s on
/// every file system, local or not. Calls `onChange` when the fingerprint moves.
public final class DirectoryWatcher: Sendable {
    public let interval: Duration

    public init(interval: Duration = .milliseconds(200)) { self.interval = interval }

    /// Runs until cancelled.
    /// - Parameter since: the fingerprint the current state was loaded from (default: now).
    public func run(directories: @escaping @Sendable () -> [URL], since: [String]? = nil,
                    onChange: @escaping @Sendable () async -> Void) async {
        var last = since ?? Self.fingerprint(directories())
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = Self.fingerprint(directories())
            if now != last {
                last = now
                await onChange()
                // The reload read the files as they were after this fingerprint; a change made during the
                // reload shows in the next fingerprint and triggers another.
            }
        }
    }

    public static func fingerprint(_ dirs: [URL]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for dir in dirs {
            var top = stat()
            if stat(dir.path, &top) != 0 { out.append(dir.path + "|missing"); continue }
            if (top.st_mode & S_IFMT) != S_IFDIR {
                out.append("\(dir.path)|\(top.st_size)|\(top.st_mtim.tv_sec).\(top.st_mtim.tv_nsec)|\(top.st_ino)")
                continue
            }
            guard let e = fm.enumerator(atPath: dir.path) else { out.append(dir.path + " missing"); continue }
            while let rel = e.nextObject() as? String {
                if rel.hasPrefix(".") || rel.contains("/.") { continue }
                var st = stat()
                let full = dir.path + "/" + rel
                if stat(full, &st) == 0 {
                    out.append("\(full)|\(st.st_size)|\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|\(st.st_ino)")
                }
                if e.level > 3 { e.skipDescendants() }
            }
        }
        return out.sorted()
    }
}
