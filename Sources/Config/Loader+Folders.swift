import Foundation

extension ConfigSnapshot {
    /// What the watcher should look at: the object folders, server.json, and the styles folder.
    public var watchedDirectories: [URL] {
        ConfigLoader.folders.map { directory.appendingPathComponent($0) }
            + [directory.appendingPathComponent("server.json"), stylesDirectory]
    }
}
