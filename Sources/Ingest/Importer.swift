import CGDAL
import Config
import Foundation
import Logging
import PostgresNIO
import VectorData

/// `passerelle import`: reads the sources, checks them, loads them into PostGIS and describes the result as
/// a VECTOR-DB stored data. The steps, in order (docs/import.md):
///
/// 1. open each source and plan its layers (names, types, CRS);
/// 2. in one transaction: stream each layer into a staging table while checking every feature, then key,
///    index and `ANALYZE` it while the last checks finish;
/// 3. if any check failed: roll back (the database is as it was) and report `refused`;
/// 4. else repair (with --make-valid) and swap the staging tables in, commit;
/// 5. read the new tables from the catalogue for the stored data.
public struct Importer: Sendable {
    public let options: ImportOptions
    public let logger: Logger

    public init(options: ImportOptions, logger: Logger) { self.options = options; self.logger = logger }

    /// What came out: the report, and the stored data to write when the import integrated.
    public struct Result: Sendable {
        public var report: ImportReport
        public var storedData: StoredData?
    }

    /// Runs the import into the database `connection` (nil: checks only, nothing written).
    /// `connectionEnv` is the environment variable the server will read the connection from.
    public func run(connection: PostgresConnectionInfo?, connectionEnv: String) async -> Result {
        let start = ContinuousClock.now
        var report = ImportReport(storedData: options.storedData, schema: options.schema, sources: options.sources)
        var stored: StoredData?
        do {
            var sources: [SourceDataset] = []
            var plans: [(LayerPlan, OGRLayerH)] = []
            try plan(&report, sources: &sources, plans: &plans)
            if !report.failures.isEmpty && plans.isEmpty {
                report.outcome = .refused
            } else if let connection, !options.checkOnly {
                stored = try await load(plans, into: connection, connectionEnv: connectionEnv, report: &report)
            } else {
                checkOnly(plans, report: &report)
            }
            // The layers belong to their datasets: the files stay open until every layer has been read.
            withExtendedLifetime(sources) {}
        } catch {
            report.outcome = .failed
            report.error = Self.describe(error)
        }
        report.seconds = (ContinuousClock.now - start).seconds
        return Result(report: report, storedData: stored)
    }

    // MARK: 1. plan

    private func plan(_ report: inout ImportReport, sources: inout [SourceDataset], plans: inout [(LayerPlan, OGRLayerH)]) throws {
        GDALSetup.once()
        var srsOverride: OGRSpatialReferenceH?
        if let srs = options.srs {
            guard let parsed = CRSIdentification.parse(srs) else { throw ImportError.invalidOption("--srs \(srs): not a CRS GDAL knows") }
            srsOverride = parsed
        }
        defer { if let srsOverride { OSRDestroySpatialReference(srsOverride) } }
        var tables: Set<String> = []
        var wanted = Set(options.layers)
        for path in options.sources {
            let ds: SourceDataset
            do { ds = try SourceDataset.open(path, encoding: options.encoding) } catch {
                report.checks.append(CheckResult(.readable, .failure, layer: nil, reason: error.description))
                continue
            }
            sources.append(ds)
            report.checks.append(CheckResult(.readable, .pass, layer: nil, reason: "\(path): \(ds.driverName), \(ds.layerCount) layer(s)"))
            for i in 0..<ds.layerCount {
                guard let layer = ds.layer(i) else { continue }
                let name = String(cString: OGR_L_GetName(layer))
                if !options.layers.isEmpty && !options.layers.contains(name) { continue }
                wanted.remove(name)
                var p = LayerPlan.make(layer: layer, tablePrefix: options.tablePrefix, srsOverride: srsOverride,
                                       takenTables: tables, checks: &report.checks)
                p.driver = ds.driverName
                tables.insert(p.table)
                plans.append((p, layer))
            }
        }
        for missing in wanted.sorted() {
            report.checks.append(CheckResult(.readable, .failure, layer: missing, reason: "no layer \(missing) in the sources"))
        }
        if plans.isEmpty && report.failures.isEmpty {
            report.checks.append(CheckResult(.readable, .failure, layer: nil, reason: "the sources hold no vector layer"))
        }
    }

    private func reader(_ plan: LayerPlan, _ layer: OGRLayerH) -> LayerReader {
        // The Shapefile driver recodes with its ENCODING open option; other drivers hand bytes over as they are.
        let recode = plan.driver == "ESRI Shapefile" ? nil : options.encoding
        return LayerReader(layer: layer, plan: plan, recodeFrom: recode, makeValid: options.makeValid, maxFindings: options.maxFindingsPerCheck)
    }

    // MARK: checks only

    private func checkOnly(_ plans: [(LayerPlan, OGRLayerH)], report: inout ImportReport) {
        var scratch = CopyBinaryEncoder(capacity: 1 << 20)
        for (plan, layer) in plans {
            let r = reader(plan, layer)
            while r.read(into: &scratch, upTo: 1 << 20) { scratch.reset() }
            scratch.reset()
            report.checks += r.results()
            report.layers.append(summary(r, description: nil))
        }
        report.outcome = report.failures.isEmpty ? .checked : .refused
    }

    // MARK: 2–5. load

    private func load(_ plans: [(LayerPlan, OGRLayerH)], into info: PostgresConnectionInfo, connectionEnv: String,
                      report: inout ImportReport) async throws -> StoredData? {
        var config = try info.connectionConfiguration()
        config.options.connectTimeout = .seconds(10)
        config.options.additionalStartupParameters = [("application_name", "passerelle-import")]
        let connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
        do {
            let stored = try await load(plans, db: PostGISTarget(connection: connection, logger: logger), connectionEnv: connectionEnv, report: &report)
            try await connection.close()
            return stored
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func load(_ plans: [(LayerPlan, OGRLayerH)], db: PostGISTarget, connectionEnv: String,
                      report: inout ImportReport) async throws -> StoredData? {
        let schema = options.schema
        try await db.requirePostGIS()
        let srids = Set(plans.compactMap { $0.0.geometry?.srid }.filter { $0 > 0 })
        for srid in try await db.unknownSRIDs(srids).sorted() {
            report.checks.append(CheckResult(.crs, .failure, layer: nil, reason: "EPSG:\(srid) is not in PostGIS's spatial_ref_sys"))
        }
        var loaded: [LayerReader] = []
        try await db.execute("BEGIN")
        do {
            try await db.execute("CREATE SCHEMA IF NOT EXISTS \(Identifiers.quoted(schema))")
            // 2. Stream every layer into its staging table, checking each feature, then key, index and analyse it
            //    while the last geometries are still being checked on other cores (their results are needed only
            //    to decide).
            for (plan, layer) in plans {
                let clock = ContinuousClock.now
                let r = reader(plan, layer)
                try await db.createStaging(plan, schema: schema)
                try await db.copy(plan, schema: schema, reader: r)
                logger.info("\(plan.layerName): \(r.features) features copied in \(Self.format((ContinuousClock.now - clock).seconds)) s")
                if plan.geometry != nil && plan.geometry?.target == nil {
                    try await db.typeGeometryColumn(r.plan, schema: schema)
                }
                // In a savepoint: duplicate source ids fail this layer's key, and the other layers are still
                // read and checked for the report.
                try await db.execute("SAVEPOINT key_and_index")
                do {
                    try await db.keyAndIndex(r.plan, schema: schema)
                    try await db.execute("RELEASE SAVEPOINT key_and_index")
                    try await db.analyze(r.plan, schema: schema)
                } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
                    try await db.execute("ROLLBACK TO SAVEPOINT key_and_index")
                    report.checks.append(CheckResult(.primaryKey, .failure, layer: r.plan.layerName,
                                                     reason: "the source's feature ids are not unique: \(e.serverInfo?[.message] ?? "")"))
                }
                report.checks += r.results()
                loaded.append(r)
            }
            // 3. Refused: nothing stays.
            if report.failures.isEmpty {
                // 4. Repair (after the index and the statistics: a repaired row's new version is indexed by the
                //    UPDATE, and a few reshaped rows do not change the statistics; cheaper than holding the whole
                //    table's work back until every check is in), swap.
                for r in loaded {
                    if options.makeValid { try await db.repair(r.plan, keys: r.invalidKeys, schema: schema) }
                    try await db.swap(r.plan, schema: schema)
                }
            }
            if !report.failures.isEmpty {
                try await db.execute("ROLLBACK")
                report.outcome = .refused
                report.layers = loaded.map { summary($0, description: nil) }
                return nil
            }
            try await db.execute("COMMIT")
        } catch {
            try? await db.execute("ROLLBACK")
            throw error
        }

        // 5. The tables as the catalogue now has them.
        var relations: [Relation] = []
        var extent: GeoBBox?
        var size = 0
        for r in loaded {
            let d = try await db.describe(schema: schema, table: r.plan.table, envelope: r.envelope, srid: r.plan.geometry?.srid ?? 0)
            report.layers.append(summary(r, description: d))
            var relation = Relation(name: r.plan.table, attributes: d.columns.map(\.name), primaryKey: d.primaryKey)
            relation.type = "TABLE"
            relation.attributes = Dictionary(d.columns.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
            relations.append(relation)
            size += d.bytes
            if let e = d.extent { extent = extent.map { GeoBBox(west: min($0.west, e.west), south: min($0.south, e.south),
                                                                 east: max($0.east, e.east), north: max($0.north, e.north)) } ?? e }
        }
        var s = StoredData(id: options.storedData, name: options.title ?? options.storedData, type: .vectorDB,
                           storage: Storage(type: "POSTGRESQL", connectionEnv: connectionEnv, schema: schema),
                           typeInfos: StoredDataTypeInfos(relations: relations))
        s.srs = loaded.lazy.compactMap { $0.plan.geometry?.srid }.first(where: { $0 > 0 }).map { "EPSG:\($0)" }
        s.status = "GENERATED"
        s.size = size
        s.extent = extent.map(GeoJSONPolygon.init)
        report.outcome = .integrated
        return s
    }

    private func summary(_ r: LayerReader, description d: PostGISTarget.TableDescription?) -> LayerSummary {
        let p = r.plan
        let planned = [LayerSummary.Column(name: p.fidColumn, type: "bigint")]
            + p.fields.map { LayerSummary.Column(name: $0.column, type: $0.pgType) }
            + (p.geometry.map { [LayerSummary.Column(name: $0.column, type: $0.pgType)] } ?? [])
        return LayerSummary(layer: p.layerName, table: p.table, features: r.features, geometryType: p.geometry?.target?.rawValue,
                            srid: p.geometry.map { Int($0.srid) }, columns: d?.columns ?? planned, renamed: p.renamed,
                            bytes: d?.bytes, invalidGeometries: r.invalidKeys.count,
                            repairedGeometries: options.makeValid && d != nil ? r.invalidKeys.count : 0)
    }

    static func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }

    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let m = e.serverInfo?[.message] { return "PostgreSQL: \(m)" + (e.serverInfo?[.detail].map { " (\($0))" } ?? "") }
            return "PostgreSQL: \(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
