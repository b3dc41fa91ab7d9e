import Config
import Foundation
import Styling
import TileServices
import VectorData

/// The config checks that look outside the files: stores reachable, tables present, styles readable,
/// pyramid descriptors present. A failing object keeps its last good version serving.
struct ServerValidator: ConfigValidator {
    let resources: SharedResources

    func validate(storedData s: StoredData, snapshot: ConfigSnapshot) async -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        if let p = s.storage.path, !FileManager.default.isReadableFile(atPath: p) {
            out.append(ConfigIssue(file: "", path: "$.storage.path", message: "cannot read \(p)"))
        }
        if let env = s.storage.connectionEnv, ProcessInfo.processInfo.environment[env] == nil {
            out.append(ConfigIssue(file: "", path: "$.storage.connection_env", message: "environment variable \(env) is not set"))
        }
        if !out.isEmpty || s.type != .vectorDB { return out }
        // The store must answer, and hold the relations the stored data declares.
        do {
            let source = try await resources.sources.source(for: s)
            let tables = Set(try await source.tables())
            for (i, r) in (s.typeInfos?.relations ?? []).enumerated() where !tables.contains(r.name) {
                out.append(ConfigIssue(file: "", path: "$.type_infos.relations[\(i)].name", message: "no table or view \(r.name) with a geometry column in the store"))
            }
        } catch {
            out.append(ConfigIssue(file: "", path: "$.storage", message: "store unreachable: \(error)"))
        }
        return out
    }

    func validate(configuration c: Configuration, snapshot: ConfigSnapshot) async -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        for (i, u) in c.typeInfos.usedData.enumerated() {
            for (j, r) in (u.relations ?? []).enumerated() {
                let path = "$.type_infos.used_data[\(i)].relations[\(j)]"
                if let style = r.style {
                    switch StyleFiles.resolve(style, in: snapshot.stylesDirectory) {
                    case .success(let url):
                        do { _ = try resources.styles.load(url) } catch {
                            out.append(ConfigIssue(file: "", path: path + ".style", message: "unreadable SLD \(url.lastPathComponent): \(error)"))
                        }
                    case .failure(let e):
                        out.append(ConfigIssue(file: "", path: path + ".style", message: e.message))
                    }
                }
                // The table must be in the store, with a geometry column.
                if let sd = snapshot.storedData[u.storedData], sd.type == .vectorDB {
                    do {
                        _ = try await resources.sources.source(for: sd).schema(of: r.table)
                    } catch {
                        out.append(ConfigIssue(file: "", path: path, message: "table \(r.table): \(error)"))
                    }
                }
            }
        }
        if c.type == .wmtsTms || c.type == .wmsRaster {
            // The pyramids and their tile matrix set must read.
            let o = Offering(id: "", configuration: c.id, endpoint: "")
            let sd = Dictionary(c.typeInfos.usedData.compactMap { u in snapshot.storedData[u.storedData].map { (u.storedData, $0) } },
                                uniquingKeysWith: { a, _ in a })
            let p = Published(offering: o, configuration: c, endpoint: Endpoint(id: "", name: "", type: c.type, urls: [], open: true),
                              storedData: sd)
            do { _ = try TileLayerResolver(registry: resources.tiles).resolve(p, snapshot: snapshot) } catch {
                out.append(ConfigIssue(file: "", path: "$.type_infos.used_data", message: "\(error)"))
            }
        }
        return out
    }
}

/// Finds the SLD file a `style` reference names, refusing anything that could leave the styles folder.
public enum StyleFiles {
    public struct Failure: Error { public var message: String }

    public static func resolve(_ ref: String, in dir: URL) -> Result<URL, Failure> {
        let ok = !ref.isEmpty && ref.count <= 128 && !ref.hasPrefix(".")
            && ref.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }
        guard ok, !ref.contains("..") else { return .failure(Failure(message: "invalid style reference \(ref)")) }
        for name in [ref + ".sld", ref + ".xml", ref] {
            let u = dir.appendingPathComponent(name)
            if FileManager.default.isReadableFile(atPath: u.path) { return .success(u) }
        }
        return .failure(Failure(message: "style \(ref) not found in \(dir.path)"))
    }
}
