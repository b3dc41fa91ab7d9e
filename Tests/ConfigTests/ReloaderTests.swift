import Config
import Foundation
import Testing

@Suite struct ReloaderTests {
    @Test func watcherSeesEditsRenamesAndDeletesWithinASecond() async throws {
        let c = try ScratchConfig.minimal()
        let (reloader, store) = await Reloader.initial(loader: ConfigLoader(directory: c.url))
        let watcher = DirectoryWatcher(interval: .milliseconds(100))
        let task = Task {
            await watcher.run(directories: { store.current.watchedDirectories }, since: store.current.fingerprint) { now in
                await reloader.reload(reason: "test", fingerprint: now)
            }
        }
        defer { task.cancel() }

        func waitFor(_ condition: @escaping () -> Bool) async -> Bool {
            for _ in 0..<20 {
                if condition() { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return condition()
        }
        func title() -> String? { store.current.configurations["c1"]?.typeInfos.usedData.first?.relations?.first?.title }

        // edit through an atomic replace
        try c.write("configurations/c1.json", ScratchConfig.configuration(title: "Edited"))
        #expect(await waitFor { title() == "Edited" })
        // same size, different content: still seen (mtime/inode)
        try c.write("configurations/c1.json", ScratchConfig.configuration(title: "Edite2"))
        #expect(await waitFor { title() == "Edite2" })
        // delete
        try c.remove("offerings/o1.json")
        #expect(await waitFor { store.current.offerings.isEmpty })
        // rename a file in
        let tmp = c.url.appendingPathComponent("offerings/.new.tmp")
        try #"{"configuration": "c1", "endpoint": "wfs", "open": true}"#.write(to: tmp, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(at: tmp, to: c.url.appendingPathComponent("offerings/renamed.json"))
        #expect(await waitFor { store.current.offerings["renamed"] != nil })
        #expect(store.current.generation >= 5)
    }

    /// inotify tells the watcher of a change: no scan of the folders is needed to see it (the periodic scan, here
    /// once an hour, is only the safety net of network file systems).
    @Test func anEditIsSeenWithoutWaitingForTheFullScan() async throws {
        let c = try ScratchConfig.minimal()
        let (reloader, store) = await Reloader.initial(loader: ConfigLoader(directory: c.url))
        let watcher = DirectoryWatcher(interval: .milliseconds(50), fullScanInterval: .seconds(3600))
        let task = Task {
            await watcher.run(directories: { store.current.watchedDirectories }, since: store.current.fingerprint) { now in
                await reloader.reload(reason: "test", fingerprint: now)
            }
        }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(300))   // past the first tick's scan
        try c.write("configurations/c1.json", ScratchConfig.configuration(title: "Notified"))
        var seen = false
        for _ in 0..<20 where !seen {
            try await Task.sleep(for: .milliseconds(50))
            seen = store.current.configurations["c1"]?.typeInfos.usedData.first?.relations?.first?.title == "Notified"
        }
        #expect(seen)
    }

    /// Runs a watcher on `store` for the length of `body`.
    private func watching(_ reloader: Reloader, _ store: ConfigStore, _ body: () async throws -> Void) async rethrows {
        let watcher = DirectoryWatcher(interval: .milliseconds(20))
        let task = Task {
            await watcher.run(directories: { store.current.watchedDirectories }, since: store.current.fingerprint) { now in
                await reloader.reload(reason: "test", fingerprint: now)
            }
        }
        defer { task.cancel() }
        try await body()
    }

    /// The styles elsewhere than the default folder (as in the demo, `../styles`): the first scan finds what the
    /// start-up load read, and nothing is reloaded.
    @Test func nothingReloadsAtStartWhenTheStylesAreElsewhere() async throws {
        let c = try ScratchConfig.minimal()
        let styles = FileManager.default.temporaryDirectory.appendingPathComponent("styles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: styles, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: styles) }
        try "<StyledLayerDescriptor/>".write(to: styles.appendingPathComponent("a.sld"), atomically: true, encoding: .utf8)
        try c.write("server.json", #"{"styles_dir": "\#(styles.path)"}"#)
        let (reloader, store) = await Reloader.initial(loader: ConfigLoader(directory: c.url))
        #expect(store.current.stylesDirectory.path == styles.path)
        let start = store.current.generation
        try await watching(reloader, store) { try await Task.sleep(for: .milliseconds(400)) }
        #expect(store.current.generation == start)
    }

    /// A script writes `x.json.tmp`, then renames it: only the rename reloads.
    @Test func aTemporaryFileDoesNotReload() async throws {
        let c = try ScratchConfig.minimal()
        let (reloader, store) = await Reloader.initial(loader: ConfigLoader(directory: c.url))
        let start = store.current.generation
        try await watching(reloader, store) {
            try await Task.sleep(for: .milliseconds(100))
            for name in ["configurations/c1.json.tmp", "configurations/c1.json~", "configurations/.c1.json.swp"] {
                try ScratchConfig.configuration(title: "Draft").write(to: c.url.appendingPathComponent(name), atomically: false, encoding: .utf8)
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(store.current.generation == start)
    }

    /// A reload checks against the outside world (tables, styles, pyramids) only the configurations that changed,
    /// or whose stored data changed; a change of a style or of server.json, or SIGHUP, checks them all again.
    @Test func aReloadValidatesOnlyWhatChanged() async throws {
        let c = try ScratchConfig.minimal()
        try c.write("configurations/c2.json", ScratchConfig.configuration(title: "Second"))
        let validator = CountingValidator()
        let (reloader, store) = await Reloader.initial(loader: ConfigLoader(directory: c.url, validator: validator))
        #expect(store.current.configurations.count == 2)
        #expect(validator.configurations() == ["c1", "c2"])

        try c.write("configurations/c1.json", ScratchConfig.configuration(title: "Edited"))
        await reloader.reload(reason: "test")
        #expect(validator.configurations() == ["c1"])

        try c.write("offerings/o1.json", #"{"configuration": "c1", "endpoint": "wfs", "open": false}"#)
        await reloader.reload(reason: "test")
        #expect(validator.configurations() == [])

        await reloader.reload(reason: "SIGHUP", checkAll: true)
        #expect(validator.configurations() == ["c1", "c2"])

        try c.write("server.json", "{}")
        await reloader.reload(reason: "test")
        #expect(validator.configurations() == ["c1", "c2"])
    }
}

/// Records which configurations were validated, and accepts them all.
private final class CountingValidator: ConfigValidator, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String] = []

    func validate(storedData: StoredData, snapshot: ConfigSnapshot) async -> [ConfigIssue] { [] }
    func validate(configuration: Configuration, snapshot: ConfigSnapshot) async -> [ConfigIssue] {
        lock.withLock { seen.append(configuration.id) }
        return []
    }

    /// The configurations validated since the last call, sorted.
    func configurations() -> [String] { lock.withLock { defer { seen = [] }; return seen.sorted() } }
}
