import Config
import Foundation
import Testing

@Suite struct ReloaderTests {
    @Test func watcherSeesEditsRenamesAndDeletesWithinASecond() async throws {
        let c = try ScratchConfig.minimal()
        let (reloader, store) = await Reloader.initial(loader: ConfigLoader(directory: c.url))
        let watcher = DirectoryWatcher(interval: .milliseconds(100))
        let task = Task {
            await watcher.run(directories: { store.current.watchedDirectories }, since: store.current.fingerprint) {
                await reloader.reload(reason: "test")
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
            await watcher.run(directories: { store.current.watchedDirectories }, since: store.current.fingerprint) {
                await reloader.reload(reason: "test")
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
}
