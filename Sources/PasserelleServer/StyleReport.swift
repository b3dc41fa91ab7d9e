import Foundation
import Styling

/// What each SLD of the styles folder asks for that Passerelle does not draw, by style name: shown at `/status`
/// and by `check-config`, so a style that draws less than it says is seen. Warnings are what the parser could not
/// read or draws otherwise; notes are vendor options accepted (GeoServer's, as QGIS writes them) but not acted on.
/// Read through the shared `SLDLoader`, which caches by file content.
public struct StyleReport: Sendable {
    public var warnings: [String: [String]] = [:]
    public var notes: [String: [String]] = [:]

    static func of(stylesDirectory: URL, loader: SLDLoader) -> StyleReport {
        let files = (try? FileManager.default.contentsOfDirectory(at: stylesDirectory, includingPropertiesForKeys: nil)) ?? []
        var out = StyleReport()
        for url in files where ["sld", "xml"].contains(url.pathExtension.lowercased()) {
            let name = url.deletingPathExtension().lastPathComponent
            // The file a style name resolves to (name.sld before name.xml), as GetMap reads it.
            guard SLDLoader.file(named: name, in: stylesDirectory)?.lastPathComponent == url.lastPathComponent else { continue }
            do {
                let loaded = try loader.load(url)
                if !loaded.warnings.isEmpty { out.warnings[name] = loaded.warnings }
                if !loaded.notes.isEmpty { out.notes[name] = loaded.notes }
            } catch {
                out.warnings[name] = ["unreadable: \(error)"]
            }
        }
        return out
    }
}
