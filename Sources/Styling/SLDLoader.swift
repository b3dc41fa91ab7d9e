import Foundation
import OGCCore
import Synchronization

/// Reads SLD files of the styles directory, caching the parsed result by file content (an edited file is parsed
/// again, an unchanged one is not).
public final class SLDLoader: Sendable {
    public struct Loaded: Sendable {
        public var sld: StyledLayerDescriptor
        public var warnings: [String]
        /// Vendor options accepted without a warning but not acted on (`SLDParser.notes`).
        public var notes: [String] = []
    }

    private let cache = Mutex<[String: (content: Data, loaded: Loaded)]>([:])

    public init() {}

    /// Parses one SLD file. Throws `OGCError` when the file cannot be read or is not a usable SLD.
    /// This is the hook the server's config validator calls.
    public static func load(_ url: URL) throws -> (StyledLayerDescriptor, [String]) {
        let l = try SLDLoader().load(url)
        return (l.sld, l.warnings)
    }

    public func load(_ url: URL) throws -> Loaded {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw OGCError(.noApplicableCode, locator: "style", "Cannot read the style file \(url.lastPathComponent)")
        }
        let key = url.standardizedFileURL.path
        if let hit = cache.withLock({ $0[key] }), hit.content == data { return hit.loaded }
        var parser = SLDParser(graphicsDirectory: url.deletingLastPathComponent().path)
        let sld: StyledLayerDescriptor
        do { sld = try parser.parse(Array(data), maxBytes: 16 << 20) } catch {
            throw OGCError(error.code, locator: url.lastPathComponent, "\(url.lastPathComponent): \(error.message)")
        }
        let loaded = Loaded(sld: sld, warnings: parser.warnings, notes: parser.notes)
        cache.withLock { $0[key] = (data, loaded) }
        return loaded
    }

    /// The file of style `name` (without extension) in `directory`: `name.sld`, else `name.xml`.
    /// Nil when the name could escape the directory (only ASCII letters, digits, `_`, `-` and `.` are taken, no
    /// leading dot, no `..`, at most 128 characters) or no such file exists.
    public static func file(named name: String, in directory: URL) -> URL? {
        let safe = !name.isEmpty && name.count <= 128 && !name.hasPrefix(".") && !name.contains("..")
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }
        guard safe else { return nil }
        for ext in ["sld", "xml"] {
            let u = directory.appendingPathComponent(name + "." + ext)
            if FileManager.default.fileExists(atPath: u.path) { return u }
        }
        return nil
    }
}
