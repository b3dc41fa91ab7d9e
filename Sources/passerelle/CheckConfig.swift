import ArgumentParser
import Config
import Foundation
import PasserelleServer
import ServiceKit
import VectorData

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate every file of a config directory; print each error with its file and JSON path.",
        discussion: "Exits 0 when every file is valid, 1 otherwise.")

    @Argument(help: "The config directory.")
    var directory: String

    @Option(help: "A capabilities templates directory to check as `serve --templates` would load it.")
    var templates: String?

    func run() async throws {
        if let templates {
            do { _ = try await TemplateLibrary(directory: URL(fileURLWithPath: templates)) } catch {
                print("error: \(error)")
                throw ExitCode(1)
            }
        }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            print("error: \(dir.path) is not a directory")
            throw ExitCode(1)
        }
        let (snap, stores) = await PasserelleApp.checkWithStores(configDirectory: dir)
        for issue in snap.skipped { print("skipped: \(issue.file): \(issue.path): \(issue.message)") }
        for (id, targets) in stores.sorted(by: { $0.key < $1.key }) where targets.count > 1 {
            let up = targets.filter { $0.role == .replica && $0.up }.count
            let each = targets.map { "\($0.role.rawValue) \($0.name) " + ($0.up ? "up" : "down (\($0.reason ?? ""))") }
            print("store \(snap.storedData[id]?.name ?? id): \(up) of \(targets.count - 1) read replicas up: " + each.joined(separator: ", "))
        }
        for issue in snap.issues { print("error: \(issue.file): \(issue.path): \(issue.message)") }
        // Not errors: the style serves, drawing less than it says.
        let styles = PasserelleApp.styleReport(of: snap)
        for (style, warnings) in styles.warnings.sorted(by: { $0.key < $1.key }) {
            for w in warnings { print("warning: style \(style): \(w)") }
        }
        for (style, notes) in styles.notes.sorted(by: { $0.key < $1.key }) {
            for n in notes { print("note: style \(style): \(n)") }
        }
        print("\(snap.endpoints.count) endpoints, \(snap.storedData.count) stored data, \(snap.configurations.count) configurations, "
              + "\(snap.offerings.count) offerings, \(snap.keys.keys.count) keys; \(snap.issues.count) errors")
        if !snap.issues.isEmpty { throw ExitCode(1) }
    }
}

struct HashKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-key",
        abstract: "Print the SHA-256 of an API key, for type_infos.hash_sha256 in keys/<id>.json.")

    @Argument(help: "The key.")
    var key: String

    func run() throws { print(APIKey.hash(key)) }
}
