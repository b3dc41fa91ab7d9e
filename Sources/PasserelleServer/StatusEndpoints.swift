import Config
import Foundation
import Hummingbird
import ServiceKit
import VectorData

/// `/health`, `/ready`, `/status`, `/metrics`.
struct StatusEndpoints: Sendable {
    let store: ConfigStore
    let metrics: ServerMetrics
    let readiness: @Sendable (ConfigSnapshot) async -> [String: String]
    /// The databases of each open PostgreSQL store (primary, read replicas), by stored data id.
    var readTargets: @Sendable () -> [String: [ReadTargetStatus]] = { [:] }
    /// What each style of the styles folder does not draw, by style name.
    var styleReport: @Sendable (ConfigSnapshot) -> StyleReport = { _ in StyleReport() }

    func respond(path: String) async -> Response? {
        switch path {
        case "/health":
            return .text("ok\n", contentType: "text/plain; charset=utf-8")
        case "/ready":
            let snap = store.current
            let problems = await readiness(snap)
            let body = Self.json(["ready": problems.isEmpty, "stores": problems.isEmpty ? [:] : problems] as [String: Any])
            return .text(body, contentType: "application/json", status: problems.isEmpty ? .ok : .serviceUnavailable)
        case "/status":
            let snap = store.current
            return .text(Self.status(snap, readTargets: readTargets(), styles: styleReport(snap)), contentType: "application/json")
        case "/metrics":
            return .bytes(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        default:
            return nil
        }
    }

    static func status(_ s: ConfigSnapshot, readTargets: [String: [ReadTargetStatus]] = [:],
                       styles: StyleReport = StyleReport()) -> String {
        let f = ISO8601DateFormatter()
        let loaded: [String: Any] = [
            "endpoints": s.endpoints.keys.sorted(),
            "stored_data": s.storedData.keys.sorted(),
            "configurations": s.configurations.keys.sorted(),
            "offerings": s.offerings.keys.sorted(),
            "permissions": s.permissions.keys.sorted(),
            "keys": s.keys.keys.map(\.id).sorted(),
        ]
        let errors: [[String: Any]] = s.issues.map {
            ["file": $0.file, "path": $0.path, "message": $0.message, "last_good_version_serving": $0.stale]
        }
        return json([
            "generation": s.generation,
            "last_reload": f.string(from: s.loadedAt),
            "config_directory": s.directory.path,
            "loaded": loaded,
            "errors": errors,
            "skipped": s.skipped.map { ["file": $0.file, "path": $0.path, "message": $0.message] },
            "stores": readTargets.mapValues { ["read_targets": $0.map(Self.targetJSON)] },
            "style_warnings": styles.warnings,
            "style_notes": styles.notes,
        ] as [String: Any])
    }

    /// One database of a PostgreSQL store: its variable's name (never the connection string), role, whether
    /// reads go to it, and the reads it took.
    static func targetJSON(_ t: ReadTargetStatus) -> [String: Any] {
        var o: [String: Any] = ["name": t.name, "role": t.role.rawValue, "up": t.up, "in_flight": t.inFlight, "reads": t.reads]
        if let r = t.reason { o["reason"] = r }
        return o
    }

    static func json(_ o: Any) -> String {
        guard let d = try? JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: d, as: UTF8.self) + "\n"
    }
}
