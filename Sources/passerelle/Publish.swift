import ArgumentParser
import Config
import Foundation
import PasserelleServer
import Publishing

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish a stored data: write its configuration and offering (and WMS styles) into the config directory.",
        discussion: """
            KIND is wfs, wms-vector (VECTOR-DB stored data), tms, wmts (ROK4 pyramids) or wms-raster (raster \
            pyramids). The files are validated as check-config does, and removed again if they do not validate; \
            a running server serves the layer within a second. See docs/import.md.
            """)

    @Argument(help: "wfs, wms-vector, tms, wmts or wms-raster.")
    var kind: String

    @Option(help: "The config directory.")
    var config: String

    @Option(help: "The stored data to publish.")
    var storedData: String

    @Option(help: "The endpoint (default: the only open, or private with --restricted, endpoint of the service's type).")
    var endpoint: String?

    @Flag(exclusivity: .exclusive, help: "Open to all (default), or restricted to API keys with a permission (needs a private endpoint).")
    var access: Access = .open

    enum Access: String, EnumerableFlag { case open, restricted }

    @Option(help: "The configuration and offering id (default: <stored data>-<kind>).")
    var id: String?

    @Option(help: "The layer name clients see (default: the stored data id).")
    var layerName: String?

    @Option(help: "Title of the layer (WMS, WMTS, TMS) or of the publication.")
    var title: String?

    @Option(help: "Abstract of the layer.")
    var abstract: String?

    @Option(help: "Keywords, comma-separated.")
    var keywords: String?

    @Option(help: "Only these tables, comma-separated, in this order (vector).")
    var tables: String?

    @Option(name: .customLong("table-title"), help: "TABLE=TITLE: the title of a table's feature type or legend (repeatable).")
    var tableTitles: [String] = []

    @Option(name: .customLong("style"), help: "TABLE=FILE.sld: the SLD of a table (repeatable; WMS-VECTOR). Others get a generated style.")
    var styles: [String] = []

    @Option(help: "Top (least detailed) level published (pyramids; default: the pyramid's).")
    var topLevel: String?

    @Option(help: "Bottom (most detailed) level published (pyramids; default: the pyramid's).")
    var bottomLevel: String?

    @Option(help: "The server's base URL, for the capabilities URL printed at the end.")
    var baseURL: String = "http://localhost:8080"

    func run() async throws {
        guard let k = PublicationRequest.Kind(rawValue: kind.lowercased()) else {
            throw ValidationError("unknown kind \(kind): one of \(PublicationRequest.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var r = PublicationRequest(kind: k, storedData: storedData)
        r.endpoint = endpoint
        r.open = access == .open
        r.id = id
        r.layerName = layerName
        r.title = title
        r.abstract = abstract
        r.keywords = keywords.map(Self.list) ?? []
        r.tables = tables.map(Self.list) ?? []
        r.tableTitles = try Self.pairs(tableTitles, option: "--table-title")
        r.styleFiles = try Self.pairs(styles, option: "--style")
        r.topLevel = topLevel
        r.bottomLevel = bottomLevel

        let dir = URL(fileURLWithPath: config).standardizedFileURL
        let before = await PasserelleApp.check(configDirectory: dir)
        let publication: Publication
        do { publication = try Publisher.plan(r, in: before) } catch {
            print("error: \(error)")
            throw ExitCode(1)
        }
        let written = try PublicationFiles.write(publication, into: dir, stylesDirectory: before.stylesDirectory)

        // Validate as the server will, and take the files back if they do not serve.
        let after = await PasserelleApp.check(configDirectory: dir)
        let mine = Set(written.map(\.relativePath))
        let problems = after.issues.filter { mine.contains($0.file) || $0.message.contains(publication.configuration.id) }
        if !problems.isEmpty || after.offerings[publication.offering.id] == nil {
            for p in problems { print("error: \(p.file): \(p.path): \(p.message)") }
            if problems.isEmpty { print("error: the offering did not load") }
            written.forEach { $0.restore() }
            throw ExitCode(1)
        }
        for w in written { print("wrote \(w.url.path)") }
        print("\(publication.offering.open ? "open" : "restricted") \(k.rawValue) layer \(publication.configuration.layerName) on endpoint \(publication.endpoint.id)")
        print(publication.capabilitiesURL(baseURL: baseURL))
        if !publication.offering.open {
            print("note: grant it to API keys with a permission in permissions/ listing offering \(publication.offering.id)")
        }
    }

    static func list(_ s: String) -> [String] {
        s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func pairs(_ items: [String], option: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else { throw ValidationError("\(option) \(item): expected NAME=VALUE") }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }
}

struct Unpublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpublish",
        abstract: "Remove an offering (the layer leaves its endpoint within a second); with --configuration, its configuration too.")

    @Argument(help: "The offering id.")
    var offering: String

    @Option(help: "The config directory.")
    var config: String

    @Flag(help: "Also remove the configuration when no other offering uses it.")
    var configuration = false

    func run() async throws {
        let writer = ConfigWriter(directory: URL(fileURLWithPath: config))
        let snap = await ConfigLoader(directory: writer.directory).load()
        guard let o = snap.offerings[offering] ?? (try? JSONDecoder().decode(Offering.self, from: Data(contentsOf: writer.file(.offerings, offering)))) else {
            print("error: no offering \(offering) in \(writer.directory.path)")
            throw ExitCode(1)
        }
        try writer.remove(.offerings, id: offering)
        print("removed \(writer.file(.offerings, offering).path)")
        if configuration {
            let others = snap.offerings.values.filter { $0.id != offering && $0.configuration == o.configuration }
            if others.isEmpty {
                try writer.remove(.configurations, id: o.configuration)
                print("removed \(writer.file(.configurations, o.configuration).path)")
            } else {
                print("kept configuration \(o.configuration): offerings \(others.map(\.id).sorted().joined(separator: ", ")) use it")
            }
        }
    }
}

/// The files of a publication as written, each with what was there before, so that a publication that does
/// not validate is taken back whole.
struct PublicationFiles {
    let url: URL
    let relativePath: String
    let previous: Data?

    func restore() {
        if let previous { try? previous.write(to: url, options: .atomic) } else { try? FileManager.default.removeItem(at: url) }
    }

    static func write(_ p: Publication, into dir: URL, stylesDirectory: URL) throws -> [PublicationFiles] {
        let writer = ConfigWriter(directory: dir)
        var out: [PublicationFiles] = []
        func record(_ url: URL, _ write: () throws -> Void) throws {
            let previous = try? Data(contentsOf: url)
            try write()
            let rel = url.path.hasPrefix(dir.path + "/") ? String(url.path.dropFirst(dir.path.count + 1)) : url.path
            out.append(PublicationFiles(url: url, relativePath: rel, previous: previous))
        }
        do {
            for (name, sld) in p.styles.sorted(by: { $0.key < $1.key }) {
                let url = stylesDirectory.appendingPathComponent(name + ".sld")
                try record(url) { try writer.writeAtomically(Data(sld.utf8), to: url) }
            }
            try record(writer.file(.configurations, p.configuration.id)) { try writer.write(p.configuration) }
            try record(writer.file(.offerings, p.offering.id)) { try writer.write(p.offering) }
        } catch {
            out.forEach { $0.restore() }
            throw error
        }
        return out
    }
}
