import Config
import Foundation

/// The config checks that look outside the files: stores reachable, tables present, styles readable,
/// pyramid descriptors present. A failing object keeps its last good version serving.
struct ServerValidator: ConfigValidator {
    func validate(storedData s: StoredData, snapshot: ConfigSnapshot) async -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        if let p = s.storage.path, !FileManager.default.isReadableFile(atPath: p) {
            out.append(ConfigIssue(file: "", path: "$.storage.path", message: "cannot read \(p)"))
        }
        if let env = s.storage.connectionEnv, ProcessInfo.processInfo.environment[env] == nil {
            out.append(ConfigIssue(file: "", path: "$.storage.connection_env", message: "environment variable \(env) is not set"))
        }
        return out
    }

    func validate(configuration c: Configuration, snapshot: ConfigSnapshot) async -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        for (i, u) in c.typeInfos.usedData.enumerated() {
            for (j, r) in (u.relations ?? []).enumerated() {
                if let style = r.style {
                    switch StyleFiles.resolve(style, in: snapshot.stylesDirectory) {
                    case .success: break
                    case .failure(let e):
                        out.append(ConfigIssue(file: "", path: "$.type_infos.used_data[\(i)].relations[\(j)].style", message: e.message))
                    }
                }
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
