/// Checks that need the outside world (a table exists, an SLD parses, a pyramid descriptor reads), supplied by
/// the server. Each returns the problems found; an empty list means the object may serve.
public protocol ConfigValidator: Sendable {
    func validate(storedData: StoredData, snapshot: ConfigSnapshot) async -> [ConfigIssue]
    func validate(configuration: Configuration, snapshot: ConfigSnapshot) async -> [ConfigIssue]
}

/// Accepts everything the loader's own checks accept.
public struct NoValidator: ConfigValidator {
    public init() {}
    public func validate(storedData: StoredData, snapshot: ConfigSnapshot) async -> [ConfigIssue] { [] }
    public func validate(configuration: Configuration, snapshot: ConfigSnapshot) async -> [ConfigIssue] { [] }
}

/// Structural checks: the fields each type requires, and the references between objects.
enum StructuralChecks {
    static func layerNamePattern(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || (f.isASCII && f.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }
    }

    static func check(endpoint e: Endpoint, file: String) -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        if e.urls.isEmpty { out.append(ConfigIssue(file: file, path: "$.urls", message: "an endpoint needs at least one URL")) }
        for (i, u) in e.urls.enumerated() {
            let p = u.path
            if p.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) || p == "/" {
                out.append(ConfigIssue(file: file, path: "$.urls[\(i)].url", message: "invalid endpoint path \(u.url)"))
            }
            let allowed: Set<String> = switch e.type {
            case .wfs: ["WFS"]
            case .wmsVector, .wmsRaster: ["WMS"]
            case .wmtsTms: ["WMTS", "TMS"]
            }
            if !allowed.contains(u.type.uppercased()) {
                out.append(ConfigIssue(file: file, path: "$.urls[\(i)].type",
                                       message: "URL type \(u.type) does not fit a \(e.type.rawValue) endpoint (expected \(allowed.sorted().joined(separator: " or ")))"))
            }
        }
        return out
    }

    static func check(storedData s: StoredData, file: String) -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        switch s.type {
        case .vectorDB:
            switch s.storage.type.uppercased() {
            case "POSTGRESQL":
                if s.storage.connectionEnv == nil && s.storage.service == nil {
                    out.append(ConfigIssue(file: file, path: "$.storage",
                                           message: "a POSTGRESQL stored data needs connection_env (an environment variable) or service (a libpq service name)"))
                }
                for (i, env) in (s.storage.readReplicaEnvs ?? []).enumerated() where env.isEmpty || env == s.storage.connectionEnv {
                    out.append(ConfigIssue(file: file, path: "$.storage.read_replica_envs[\(i)]",
                                           message: env.isEmpty ? "a read replica needs the name of an environment variable"
                                                                : "a read replica's variable must not be the primary's connection_env"))
                }
            case "FILESYSTEM":
                if s.storage.readReplicaEnvs?.isEmpty == false {
                    out.append(ConfigIssue(file: file, path: "$.storage.read_replica_envs", message: "read replicas are for POSTGRESQL storage only"))
                }
                if s.storage.path == nil {
                    out.append(ConfigIssue(file: file, path: "$.storage.path", message: "a FILESYSTEM vector stored data needs the path of a GeoPackage"))
                }
            default:
                out.append(ConfigIssue(file: file, path: "$.storage.type", message: "storage \(s.storage.type) is not supported for VECTOR-DB (POSTGRESQL or FILESYSTEM)"))
            }
        case .rok4PyramidRaster, .rok4PyramidVector:
            switch s.storage.type.uppercased() {
            case "FILESYSTEM", "FILE":
                if let p = s.storage.path, p.contains("://") {
                    out.append(ConfigIssue(file: file, path: "$.storage.path", message: "a FILESYSTEM pyramid's path is a file path, not \(p.prefix(while: { $0 != ":" })):// (S3 storage takes s3://BUCKET/NAME.json)"))
                }
            case "S3":
                // As ROK4 writes it: s3://BUCKET/NAME.json, or s3://BUCKET@HOST/NAME.json to pick a cluster.
                if let p = s.storage.path, !Self.isS3Path(p) {
                    out.append(ConfigIssue(file: file, path: "$.storage.path", message: "an S3 pyramid's path is s3://BUCKET/NAME.json or s3://BUCKET@HOST/NAME.json"))
                }
            default:
                out.append(ConfigIssue(file: file, path: "$.storage.type", message: "storage \(s.storage.type) is not supported for pyramids (FILESYSTEM or S3)"))
            }
            if s.storage.path == nil {
                out.append(ConfigIssue(file: file, path: "$.storage.path", message: "a pyramid needs the path of its descriptor"))
            }
        }
        return out
    }

    /// `s3://BUCKET[@HOST]/KEY` with a non-empty bucket, host (when `@` is there) and key.
    static func isS3Path(_ p: String) -> Bool {
        guard p.hasPrefix("s3://") else { return false }
        let rest = p.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return false }
        let tray = rest[..<slash], key = rest[rest.index(after: slash)...]
        let parts = tray.split(separator: "@", omittingEmptySubsequences: false)
        return !key.isEmpty && parts.count <= 2 && parts.allSatisfy { !$0.isEmpty }
    }

    static func check(configuration c: Configuration, file: String, storedData: [String: StoredData]) -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        let ti = c.typeInfos
        if !layerNamePattern(c.layerName) {
            out.append(ConfigIssue(file: file, path: "$.layer_name", message: "layer_name must match ^[A-Za-z_][A-Za-z0-9_\\-.]*$"))
        }
        if c.type != .wfs {
            if ti.title == nil { out.append(ConfigIssue(file: file, path: "$.type_infos.title", message: "title is required")) }
            if ti.abstract == nil { out.append(ConfigIssue(file: file, path: "$.type_infos.abstract", message: "abstract is required")) }
        }
        if ti.usedData.isEmpty {
            out.append(ConfigIssue(file: file, path: "$.type_infos.used_data", message: "used_data must not be empty"))
        }
        for (i, u) in ti.usedData.enumerated() {
            let base = "$.type_infos.used_data[\(i)]"
            guard let sd = storedData[u.storedData] else {
                out.append(ConfigIssue(file: file, path: base + ".stored_data", message: "unknown stored data \(u.storedData)"))
                continue
            }
            switch c.type {
            case .wfs, .wmsVector:
                if sd.type != .vectorDB {
                    out.append(ConfigIssue(file: file, path: base + ".stored_data", message: "\(c.type.rawValue) needs a VECTOR-DB stored data, \(u.storedData) is \(sd.type.rawValue)"))
                }
                let rels = u.relations ?? []
                if rels.isEmpty { out.append(ConfigIssue(file: file, path: base + ".relations", message: "relations must not be empty")) }
                for (j, r) in rels.enumerated() {
                    let rp = "\(base).relations[\(j)]"
                    if r.table.isEmpty {
                        out.append(ConfigIssue(file: file, path: rp, message: c.type == .wfs ? "native_name is required" : "name is required"))
                    } else if let known = sd.typeInfos?.relations, !known.isEmpty, !known.contains(where: { $0.name == r.table }) {
                        out.append(ConfigIssue(file: file, path: rp, message: "relation \(r.table) is not in stored data \(u.storedData)"))
                    }
                    if c.type == .wfs && r.title == nil {
                        out.append(ConfigIssue(file: file, path: rp + ".title", message: "title is required"))
                    }
                    if let p = r.publicName, !layerNamePattern(p) {
                        out.append(ConfigIssue(file: file, path: rp + ".public_name", message: "invalid public_name \(p)"))
                    }
                }
            case .wmtsTms, .wmsRaster:
                if sd.type == .vectorDB {
                    out.append(ConfigIssue(file: file, path: base + ".stored_data", message: "\(c.type.rawValue) needs a ROK4 pyramid, \(u.storedData) is VECTOR-DB"))
                }
                if c.type == .wmsRaster && sd.type == .rok4PyramidVector {
                    out.append(ConfigIssue(file: file, path: base + ".stored_data", message: "WMS-RASTER needs a raster pyramid"))
                }
                if u.bottomLevel == nil { out.append(ConfigIssue(file: file, path: base + ".bottom_level", message: "bottom_level is required")) }
                if u.topLevel == nil { out.append(ConfigIssue(file: file, path: base + ".top_level", message: "top_level is required")) }
            }
        }
        return out
    }
}
