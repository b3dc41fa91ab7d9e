/// What an import found and did: every check with its outcome, each layer's summary, and whether the data
/// was integrated. Printed for people, written as JSON with `--report` for machines (docs/import.md).
public struct ImportReport: Codable, Sendable {
    public var storedData: String
    public var schema: String
    public var sources: [String]
    /// `integrated`: the tables are in the database; `refused`: a check failed, the database is as it was;
    /// `failed`: an error (connection, disk, SQL) stopped the import, the database is as it was; `checked`:
    /// every check passed and nothing was written (`--check-only`).
    public var outcome: Outcome
    public var checks: [CheckResult] = []
    public var layers: [LayerSummary] = []
    /// Why the import failed, for `failed`.
    public var error: String?
    public var seconds: Double = 0

    public enum Outcome: String, Codable, Sendable { case integrated, refused, failed, checked }

    enum CodingKeys: String, CodingKey {
        case schema, sources, outcome, checks, layers, error, seconds
        case storedData = "stored_data"
    }

    public init(storedData: String, schema: String, sources: [String]) {
        self.storedData = storedData; self.schema = schema; self.sources = sources; self.outcome = .integrated
    }

    public var failures: [CheckResult] { checks.filter { $0.status == .failure } }
    public var warnings: [CheckResult] { checks.filter { $0.status == .warning } }
}

/// One check on one layer (and, for per-feature checks, one feature).
public struct CheckResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case pass, warning, failure }

    public var check: Check
    public var status: Status
    public var layer: String?
    /// The feature's id in the source (FID), for per-feature findings.
    public var feature: Int64?
    public var field: String?
    public var reason: String

    public init(_ check: Check, _ status: Status, layer: String?, feature: Int64? = nil, field: String? = nil, reason: String) {
        self.check = check; self.status = status; self.layer = layer; self.feature = feature; self.field = field; self.reason = reason
    }
}

/// The checks made before integration (docs/import.md lists what each looks at).
public enum Check: String, Codable, Sendable, CaseIterable {
    /// The source opens and has layers.
    case readable
    /// A CRS is declared (or given with --srs) and known as an EPSG code, to PROJ and to PostGIS.
    case crs
    /// Geometries are valid (GEOS); invalid ones are repaired only with --make-valid.
    case validity
    /// One geometry type per layer, single types promoted to Multi*.
    case geometryType = "geometry_type"
    /// Field names are PostgreSQL identifiers after normalisation.
    case attributeNames = "attribute_names"
    /// Text is UTF-8, or in the encoding given with --encoding.
    case encoding
    /// The layer has features.
    case notEmpty = "not_empty"
    /// The layer's primary key is unique.
    case primaryKey = "primary_key"
}

/// A layer as integrated (or as it would have been).
public struct LayerSummary: Codable, Sendable {
    public var layer: String
    public var table: String
    public var features: Int
    public var geometryType: String?
    public var srid: Int?
    /// Column → PostgreSQL type, in table order.
    public var columns: [Column]
    /// Source field → column, for the names that normalisation changed.
    public var renamed: [String: String]
    /// Table size with its indexes, once integrated.
    public var bytes: Int?
    public var invalidGeometries: Int = 0
    public var repairedGeometries: Int = 0

    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
    }

    enum CodingKeys: String, CodingKey {
        case layer, table, features, srid, columns, renamed, bytes
        case geometryType = "geometry_type"
        case invalidGeometries = "invalid_geometries"
        case repairedGeometries = "repaired_geometries"
    }
}
