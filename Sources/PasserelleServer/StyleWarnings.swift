import Foundation
import Styling

/// What each SLD of the styles folder asks for that Passerelle does not draw (the parser's warnings), by
/// style name: shown at `/status` and by `check-config`, so a style that draws less than it says is seen.
/// Read through the shared `SLDLoader`, which caches by file content.
enum StyleWarnings {
    static func list(stylesDirectory: URL, loader: SLDLoader) -> [String: [String]] {
        let files = (try? FileManager.default.contentsOfDirectory(at: stylesDirectory, includingPropertiesForKeys: nil)) ?? []
        var out: [String: [String]] = [:]
        for url in files where ["sld", "xml"].contains(url.pathExtension.lowercased()) {
            let name = url.deletingPathExtension().lastPathComponent
            // The file a style name resolves to (name.sld before name.xml), as GetMap reads it.
            guard SLDLoader.file(named: name, in: stylesDirectory)?.lastPathComponent == url.lastPathComponent else { continue }
            do {
                let loaded = try loader.load(url)
                if !loaded.warnings.isEmpty { out[name] = loaded.warnings }
            } catch {
                out[name] = ["unreadable: \(error)"]
            }
        }
        return out
    }
}
