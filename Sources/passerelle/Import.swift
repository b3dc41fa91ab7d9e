import ArgumentParser
import Config
import Foundation
import Ingest
import Logging
import VectorData

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Check vector files and load them into PostGIS as a stored data (one table per layer).",
        discussion: """
            Reads GeoPackage, GeoJSON, Shapefile (also zipped), CSV (WKT or lon/lat columns), FlatGeobuf and the \
            other vector formats of GDAL. Every check is reported; a failing one leaves the database as it was. \
            On success the tables are swapped in, in one transaction, and stored_data/<name>.json is written into \
            the config directory, where a running server picks it up. See docs/import.md.
            Exit status: 0 integrated (or checked), 1 refused by a check, 2 failed.
            """)

    @Argument(help: "The files to import.")
    var files: [String]

    @Option(help: "The config directory where stored_data/<name>.json is written.")
    var config: String?

    @Option(help: "The stored data id (default: the first file's name).")
    var name: String?

    @Option(help: "A title for the stored data.")
    var title: String?

    @Option(help: "The database: a postgres:// URL or libpq key=value string (default: the value of --connection-env).")
    var into: String?

    @Option(help: "The environment variable holding the connection, for the server and for this command.")
    var connectionEnv: String = "PASSERELLE_PG"

    @Option(help: "The PostgreSQL schema of the tables (created when missing).")
    var schema: String = "public"

    @Option(help: "Only these layers (comma-separated source layer names).")
    var layers: String?

    @Option(help: "Prefix of the table names.")
    var tablePrefix: String = ""

    @Option(help: "The CRS of sources that declare none, or to use instead (EPSG:2154).")
    var srs: String?

    @Option(help: "The text encoding of the sources when not UTF-8 (LATIN1, CP1252…).")
    var encoding: String?

    @Flag(help: "Repair invalid geometries with ST_MakeValid instead of refusing them.")
    var makeValid = false

    @Flag(help: "Run the checks and report; write nothing.")
    var checkOnly = false

    @Option(help: "Write the report as JSON to this file.")
    var report: String?

    func run() async throws {
        let id = name ?? Identifiers.normalise(URL(fileURLWithPath: files[0]).deletingPathExtension().lastPathComponent)
        guard ConfigWriter.isValidID(id) else { throw ValidationError("--name \(id): letters, digits, _, - and . only") }
        guard checkOnly || config != nil else { throw ValidationError("--config DIR is required (or --check-only)") }
        var options = ImportOptions(sources: files, storedData: id)
        options.title = title
        options.schema = schema
        options.layers = layers.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
        options.tablePrefix = tablePrefix
        options.srs = srs
        options.encoding = encoding
        options.makeValid = makeValid
        options.checkOnly = checkOnly

        var connection: PostgresConnectionInfo?
        if !checkOnly {
            let env = ProcessInfo.processInfo.environment[connectionEnv]
            guard let raw = into ?? env, !raw.isEmpty else {
                throw ValidationError("no database: give --into postgres://… or set \(connectionEnv)")
            }
            connection = try PostgresConnectionInfo.parse(raw)
            if env == nil {
                print("note: the stored data reads its connection from $\(connectionEnv); start the server with it set")
            }
        }

        var logger = Logger(label: "passerelle.import")
        logger.logLevel = .info
        let result = await Importer(options: options, logger: logger).run(connection: connection, connectionEnv: connectionEnv)
        ImportReportPrinter.print(result.report)
        if let path = report {
            try ConfigWriter.encode(result.report).write(to: URL(fileURLWithPath: path))
        }
        if let stored = result.storedData, let config {
            let file = try ConfigWriter(directory: URL(fileURLWithPath: config)).write(stored)
            print("wrote \(file.path)")
            print("next: passerelle publish wfs --config \(config) --stored-data \(id)")
        }
        switch result.report.outcome {
        case .integrated, .checked: return
        case .refused: throw ExitCode(1)
        case .failed: throw ExitCode(2)
        }
    }
}

/// The report as a person reads it: failures and warnings one per line, a line per layer, the outcome.
enum ImportReportPrinter {
    static func print(_ r: ImportReport) {
        for c in r.checks where c.status != .pass {
            var place = c.layer ?? ""
            if let f = c.feature { place += " #\(f)" }
            if let field = c.field { place += " .\(field)" }
            Swift.print("\(c.status == .failure ? "FAILURE" : "warning") \(c.check.rawValue): \(place.isEmpty ? "" : place + ": ")\(c.reason)")
        }
        for l in r.layers {
            let size = l.bytes.map { ", " + ByteCountFormatter.string(fromByteCount: Int64($0), countStyle: .file) } ?? ""
            Swift.print("layer \(l.layer) → \(r.schema).\(l.table): \(l.features) features, \(l.geometryType ?? "no geometry")"
                        + (l.srid.map { " EPSG:\($0)" } ?? "") + size
                        + (l.invalidGeometries > 0 ? ", \(l.invalidGeometries) invalid geometries" : "")
                        + (l.repairedGeometries > 0 ? " (repaired)" : ""))
        }
        let passes = r.checks.filter { $0.status == .pass }.count
        Swift.print("\(r.outcome.rawValue): \(passes) checks passed, \(r.warnings.count) warnings, \(r.failures.count) failures"
                    + (r.error.map { "; error: \($0)" } ?? "") + String(format: " (%.2f s)", r.seconds))
    }
}
