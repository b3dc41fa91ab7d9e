import Config
import Logging
import NIOCore
import PostgresNIO

/// The database side of an import, on one connection inside one transaction: the new rows go into staging
/// tables (`_import_<table>`), and only once every check passed are they keyed, indexed and swapped in place of
/// the old tables, in the same transaction. Readers see the old table or the new one, never half of either;
/// a refused or failed import leaves the database as it was.
struct PostGISTarget {
    let connection: PostgresConnection
    let logger: Logger

    static func stagingName(_ table: String) -> String { String(("_import_" + table).prefix(63)) }
    static func indexName(_ table: String, _ suffix: String) -> String { String(table.prefix(63 - suffix.utf8.count)) + suffix }

    func execute(_ sql: String) async throws {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await _ in rows {}
    }

    // MARK: before

    /// Fails with a readable message when PostGIS is not installed in the database.
    func requirePostGIS() async throws {
        let rows = try await connection.query("SELECT extversion FROM pg_extension WHERE extname = 'postgis'", logger: logger)
        for try await _ in rows { return }
        throw ImportError.database("PostGIS is not installed in this database (CREATE EXTENSION postgis)")
    }

    /// The SRIDs among `srids` that PostGIS does not know (not in spatial_ref_sys).
    func unknownSRIDs(_ srids: Set<Int32>) async throws -> Set<Int32> {
        var known: Set<Int32> = []
        let list = srids.map(String.init).joined(separator: ",")
        guard !list.isEmpty else { return [] }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT srid FROM spatial_ref_sys WHERE srid IN (\(list))"), logger: logger)
        for try await srid in rows.decode(Int32.self) { known.insert(srid) }
        return srids.subtracting(known)
    }

    // MARK: staging

    func createStaging(_ plan: LayerPlan, schema: String) async throws {
        let staging = Self.stagingName(plan.table)
        try await execute("DROP TABLE IF EXISTS \(Identifiers.quoted(schema)).\(Identifiers.quoted(staging))")
        try await execute(plan.createStatement(schema: schema, table: staging))
        if let g = plan.geometry {
            // Geometries stored uncompressed: coordinates gain nothing from pglz (the communes take 39 MB either
            // way), the COPY skips compressing every large polygon, and readers skip decompressing them.
            try await execute("ALTER TABLE \(Identifiers.quoted(schema)).\(Identifiers.quoted(staging)) ALTER COLUMN \(Identifiers.quoted(g.column)) SET STORAGE EXTERNAL")
        }
    }

    /// Streams the layer's rows into its staging table, in binary COPY format, frozen: the table was created in
    /// this transaction, so its rows are written already visible to all (no hint bits to set and no page to dirty
    /// again when ANALYZE and the first readers look at them).
    ///
    /// postgres-nio 1.33's `copyFrom` writes `COPY "<table>" FROM STDIN WITH (FORMAT text)` with the table name
    /// inserted as given, and offers no binary format. The name given here therefore ends the quoted table name
    /// itself and carries the column list and `FORMAT binary`, commenting out the rest of the statement; every
    /// identifier in it is a normalised one (`Identifiers`), so it cannot close a quote. The CopyInResponse of
    /// a binary COPY is handled by postgres-nio like a text one: it only forwards the bytes written.
    func copy(_ plan: LayerPlan, schema: String, reader: LayerReader, chunkBytes: Int = 1 << 20) async throws {
        let columns = plan.copyColumns.map(Identifiers.quoted).joined(separator: ", ")
        let target = "\(schema)\".\"\(Self.stagingName(plan.table))\" (\(columns)) FROM STDIN WITH (FORMAT binary, FREEZE) --"
        var encoder = CopyBinaryEncoder(capacity: chunkBytes + (64 << 10))
        encoder.appendHeader()
        try await connection.copyFrom(table: target, logger: logger) { writer in
            var more = true
            while more {
                more = reader.read(into: &encoder, upTo: chunkBytes)
                if !more { encoder.appendTrailer() }
                if encoder.count > 0 {
                    try await writer.write(ByteBuffer(bytes: encoder.bytes))
                    encoder.reset()
                }
            }
        }
    }

    /// Types the geometry column of a layer whose source declared no geometry type, now that the rows tell.
    func typeGeometryColumn(_ plan: LayerPlan, schema: String) async throws {
        guard let g = plan.geometry, g.target != nil else { return }
        let t = "\(Identifiers.quoted(schema)).\(Identifiers.quoted(Self.stagingName(plan.table)))"
        try await execute("ALTER TABLE \(t) ALTER COLUMN \(Identifiers.quoted(g.column)) TYPE \(g.pgType)")
    }

    /// Repairs the invalid geometries with ST_MakeValid, keeping the column's type (the polygons of a
    /// repaired polygon, etc.).
    func repair(_ plan: LayerPlan, keys: [Int64], schema: String) async throws {
        guard let g = plan.geometry, !keys.isEmpty else { return }
        let col = Identifiers.quoted(g.column)
        let valid = "ST_MakeValid(\(col))"
        let fixed = switch g.target {
        case .multiPolygon: "ST_Multi(ST_CollectionExtract(\(valid), 3))"
        case .multiLineString: "ST_Multi(ST_CollectionExtract(\(valid), 2))"
        case .multiPoint: "ST_Multi(ST_CollectionExtract(\(valid), 1))"
        default: valid
        }
        let t = "\(Identifiers.quoted(schema)).\(Identifiers.quoted(Self.stagingName(plan.table)))"
        for chunk in stride(from: 0, to: keys.count, by: 10_000) {
            let list = keys[chunk..<min(keys.count, chunk + 10_000)].map(String.init).joined(separator: ",")
            try await execute("UPDATE \(t) SET \(col) = \(fixed) WHERE \(Identifiers.quoted(plan.fidColumn)) IN (\(list))")
        }
    }

    /// The primary key and the spatial index, named after the final table.
    func keyAndIndex(_ plan: LayerPlan, schema: String) async throws {
        let staging = Self.stagingName(plan.table)
        let t = "\(Identifiers.quoted(schema)).\(Identifiers.quoted(staging))"
        try await execute("ALTER TABLE \(t) ADD CONSTRAINT \(Identifiers.quoted(Self.indexName(staging, "_pkey"))) PRIMARY KEY (\(Identifiers.quoted(plan.fidColumn)))")
        if let g = plan.geometry {
            try await execute("CREATE INDEX \(Identifiers.quoted(Self.indexName(staging, "_geom_idx"))) ON \(t) USING GIST (\(Identifiers.quoted(g.column)))")
        }
    }

    /// The planner's statistics of the staging table (they stay with it when it is renamed).
    func analyze(_ plan: LayerPlan, schema: String) async throws {
        try await execute("ANALYZE \(Identifiers.quoted(schema)).\(Identifiers.quoted(Self.stagingName(plan.table)))")
    }

    /// Replaces the table by its staging table (the old one is dropped; a view that depends on it makes the
    /// import fail rather than vanish).
    func swap(_ plan: LayerPlan, schema: String) async throws {
        let s = Identifiers.quoted(schema)
        let staging = Self.stagingName(plan.table)
        try await execute("DROP TABLE IF EXISTS \(s).\(Identifiers.quoted(plan.table))")
        try await execute("ALTER TABLE \(s).\(Identifiers.quoted(staging)) RENAME TO \(Identifiers.quoted(plan.table))")
        try await execute("ALTER INDEX \(s).\(Identifiers.quoted(Self.indexName(staging, "_pkey"))) RENAME TO \(Identifiers.quoted(Self.indexName(plan.table, "_pkey")))")
        if plan.geometry != nil {
            try await execute("ALTER INDEX \(s).\(Identifiers.quoted(Self.indexName(staging, "_geom_idx"))) RENAME TO \(Identifiers.quoted(Self.indexName(plan.table, "_geom_idx")))")
        }
    }

    // MARK: after

    /// A table as the stored data describes it, read from the catalogue.
    struct TableDescription: Sendable {
        var columns: [LayerSummary.Column] = []
        var primaryKey: [String] = []
        var bytes: Int = 0
        var extent: GeoBBox?
    }

    /// The table's columns, key and size from the catalogue; its extent in WGS84 from `envelope` (the box of
    /// the rows in the layer's CRS, gathered while they were read), densified before it is reprojected so that
    /// its curved edges count.
    func describe(schema: String, table: String, envelope: (Double, Double, Double, Double)?, srid: Int32) async throws -> TableDescription {
        let qualified = "\(Identifiers.quoted(schema)).\(Identifiers.quoted(table))"
        var d = TableDescription()
        let cols = try await connection.query("""
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = \(qualified)::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, logger: logger)
        for try await (name, type) in cols.decode((String, String).self) { d.columns.append(.init(name: name, type: type)) }
        let pk = try await connection.query("""
            SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = \(qualified)::regclass AND i.indisprimary
            """, logger: logger)
        for try await name in pk.decode(String.self) { d.primaryKey.append(name) }
        let size = try await connection.query("SELECT pg_total_relation_size(\(qualified)::regclass)", logger: logger)
        for try await n in size.decode(Int64.self) { d.bytes = Int(n) }
        if let (x0, y0, x1, y1) = envelope, srid > 0 {
            let step = max(x1 - x0, y1 - y0) / 32 + 1e-9
            let rows = try await connection.query("""
                SELECT ST_XMin(b)::float8, ST_YMin(b)::float8, ST_XMax(b)::float8, ST_YMax(b)::float8 FROM (
                  SELECT ST_Extent(ST_Transform(ST_Segmentize(ST_MakeEnvelope(\(x0), \(y0), \(x1), \(y1), \(srid)), \(step)), 4326)) AS b) s
                """, logger: logger)
            for try await (w, s, e, n) in rows.decode((Double, Double, Double, Double).self) {
                d.extent = GeoBBox(west: w, south: s, east: e, north: n)
            }
        }
        return d
    }
}
