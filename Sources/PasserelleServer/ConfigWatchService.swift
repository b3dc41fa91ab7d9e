import Config
import Dispatch
import Foundation
import ServiceLifecycle

/// Runs the reload triggers: the directory watcher and SIGHUP. The reload logic itself is `Reloader`.
struct ConfigWatchService: Service {
    let reloader: Reloader
    let store: ConfigStore
    let watcher: DirectoryWatcher

    func run() async throws {
        let reloader = self.reloader
        let store = self.store
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            Task { await reloader.reload(reason: "SIGHUP", checkAll: true) }
        }
        source.resume()
        defer { source.cancel() }
        try await cancelWhenGracefulShutdown {
            await watcher.run(directories: { store.current.watchedDirectories }, since: store.current.fingerprint) { now in
                await reloader.reload(reason: "file change", fingerprint: now)
            }
        }
    }
}
