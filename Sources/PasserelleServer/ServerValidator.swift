import Config
import Foundation
import NIOPosix
import Styling
import TileServices
import VectorData

/// The config checks that look outside the files: stores reachable, tables present, styles readable,
/// pyramid descriptors present. A failing object keeps its last good version serving.
struct ServerValidator: ConfigValidator {
    let resources: SharedResources

    func validate(storedData s: StoredData, snapshot: ConfigSnapshot) async -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        // An S3 descriptor is read when a configuration using it is validated (below, through the tile registry).
        if let p = s.storage.path, !p.hasPrefix("s3://"), !FileManager.default.isReadableFile(atPath: p) {
            out.append(ConfigIssue(file: "", path: "$.storage.path", message: "cannot read \(p)"))
        }
        if let env = s.storage.connectionEnv, ProcessInfo.processInfo.environment[env] == nil {
            out.append(ConfigIssue(file: "", path: "$.storage.connection_env", message: "environment variable \(env) is not set"))
        }
        for (i, env) in (s.storage.readReplicaEnvs ?? []).enumerated() where ProcessInfo.processInfo.environment[env] == nil {
            out.append(ConfigIssue(file: "", path: "$.storage.read_replica_envs[\(i)]", message: "environment variable \(env) is not set"))
        }
        if !out.isEmpty || s.type != .vectorDB { return out }
        // The store must answer, and hold the relations the stored data declares.
        do {
            let source = try await resources.sources.source(for: s)
            // Read replicas: the ones down now are left out from the start (they are not an error: reads go to the
            // others and to the primary, and a replica is taken back once it answers).
            if let pg = source as? PostGISSource, pg.readTargets.count > 1 { await pg.checkReadTargets() }
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
                // The same lookup the WMS service makes when it draws.
                if let style = r.style {
                    if let url = SLDLoader.file(named: style, in: snapshot.stylesDirectory) {
                        do { _ = try resources.styles.load(url) } catch {
                            out.append(ConfigIssue(file: "", path: path + ".style", message: "unreadable SLD \(url.lastPathComponent): \(error)"))
                        }
                    } else {
                        out.append(ConfigIssue(file: "", path: path + ".style",
                                               message: "style \(style) not found in \(snapshot.stylesDirectory.path) (or not a plain file name)"))
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
            // On the blocking pool: an S3 descriptor is a network read, with retries.
            let resolver = TileLayerResolver(registry: resources.tiles)
            do { _ = try await NIOThreadPool.singleton.runIfActive { try resolver.resolve(p, snapshot: snapshot) } } catch {
                out.append(ConfigIssue(file: "", path: "$.type_infos.used_data", message: "\(error)"))
            }
        }
        return out
    }
}
