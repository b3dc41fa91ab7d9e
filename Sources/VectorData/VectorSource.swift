import Config
import Filters
import Geo
import OGCCore

/// What a table holds, read from the store (columns, geometry, key, extent).
public struct TableSchema: Sendable, Equatable {
    public var name: String
    /// Attribute columns, without the geometry column, in table order.
    public var fields: [FieldInfo]
    public var geometryColumn: String
    public var geometryType: GeometryType
    /// The native CRS of the geometry column (an EPSG code).
    public var srid: Int
    /// The primary key column (used for feature ids and total ordering), if any.
    public var primaryKey: String?
    /// The extent in the native CRS, computed at load time (nil when unknown or empty).
    public var extent: BBox?

    public init(name: String, fields: [FieldInfo], geometryColumn: String, geometryType: GeometryType, srid: Int,
                primaryKey: String?, extent: BBox?) {
        self.name = name; self.fields = fields; self.geometryColumn = geometryColumn; self.geometryType = geometryType
        self.srid = srid; self.primaryKey = primaryKey; self.extent = extent
    }

    public func field(_ name: String) -> FieldInfo? { fields.first { $0.name == name } }
}

public struct SortKey: Sendable, Equatable {
    public var property: String
    public var ascending: Bool
    public init(_ property: String, ascending: Bool = true) { self.property = property; self.ascending = ascending }
}

/// How geometries come back from a query.
public enum GeometryOutput: Sendable, Equatable {
    case none
    /// ISO WKB (little-endian), in the output CRS.
    case wkb
    /// A GeoJSON geometry object as text, in the output CRS (lon/lat order for EPSG:4326), with at most
    /// `decimals` digits.
    case geoJSON(decimals: Int)
}

/// A query on one table. Names in it have been checked against the schema by the caller.
public struct FeatureQuery: Sendable, Equatable {
    public var table: String
    /// The attribute columns to return, in order; nil for all.
    public var properties: [String]?
    /// An envelope to intersect, in `bboxSRID` (native when nil).
    public var bbox: BBox?
    public var bboxSRID: Int?
    public var filter: Filter?
    public var sortBy: [SortKey]
    public var offset: Int
    public var limit: Int?
    /// The CRS geometries are returned in (native when nil).
    public var outputSRID: Int?
    /// Simplification tolerance in output CRS units (for rendering), nil for none.
    public var simplifyTolerance: Double?
    public var geometry: GeometryOutput
    /// true: rows in a total order (the sort keys, then the primary key), as paging needs. false with no sort
    /// keys: rows in the store's own order, with no sort of the whole result (maps draw what they get).
    public var totalOrder: Bool
    /// true: the store also counts every feature that matches (ignoring offset and limit) in the same query,
    /// and the cursor tells it (`FeatureCursor.matchedCount`) once it has read a row. Stores that cannot leave
    /// it nil.
    public var countMatched: Bool = false

    public init(table: String, properties: [String]? = nil, bbox: BBox? = nil, bboxSRID: Int? = nil, filter: Filter? = nil,
                sortBy: [SortKey] = [], offset: Int = 0, limit: Int? = nil, outputSRID: Int? = nil,
                simplifyTolerance: Double? = nil, geometry: GeometryOutput = .wkb, totalOrder: Bool = true) {
        self.table = table; self.properties = properties; self.bbox = bbox; self.bboxSRID = bboxSRID; self.filter = filter
        self.sortBy = sortBy; self.offset = offset; self.limit = limit; self.outputSRID = outputSRID
        self.simplifyTolerance = simplifyTolerance; self.geometry = geometry; self.totalOrder = totalOrder
    }
}

/// One row: its id (primary key value, as text), its attribute values aligned with the query's properties
/// (or the schema's fields), and its geometry in the form the query asked for.
public struct Feature: Sendable {
    public var id: String
    public var values: [Value]
    /// WKB bytes (`.wkb`) or GeoJSON text bytes (`.geoJSON`); nil for `.none` or a NULL geometry.
    public var geometry: [UInt8]?

    public init(id: String, values: [Value], geometry: [UInt8]?) { self.id = id; self.values = values; self.geometry = geometry }
}

/// A vector store: a PostGIS database or a GeoPackage file.
///
/// Results stream: `open` starts the query and returns a cursor that yields batches as the store produces them,
/// so a caller writing them to a socket holds one batch at a time and the store waits for a slow client
/// (backpressure). A query that fails at once fails in `open`, before any byte of a response is written. Errors are `OGCError`s where the client is at fault, `VectorDataError` otherwise.
public protocol VectorSource: Sendable {
    /// The relations this source holds (tables and views with a geometry column).
    func tables() async throws -> [String]
    func schema(of table: String) async throws -> TableSchema
    func open(_ query: FeatureQuery) async throws -> any FeatureCursor
    /// The number of features matching (ignores offset, limit and sort).
    func count(_ query: FeatureQuery) async throws -> Int
    /// Reachable now?
    func ping() async throws
    /// Whether `open` honours `FeatureQuery.countMatched` (its cursors tell `matchedCount`).
    var countsMatchedInQuery: Bool { get }
}

/// The rows of a running query. Used by one task at a time; `close` releases the connection early (a cursor
/// read to its end releases it by itself).
public protocol FeatureCursor: AnyObject, Sendable {
    /// The next batch, or nil at the end.
    func next() async throws -> [Feature]?
    func close() async
    /// With `FeatureQuery.countMatched`: how many features match the query (without offset and limit), known
    /// once a batch with a row has been read; nil otherwise.
    var matchedCount: Int? { get }
}

extension FeatureCursor {
    public var matchedCount: Int? { nil }
}

extension VectorSource {
    public var countsMatchedInQuery: Bool { false }

    /// Every feature of a query, collected (for small results: rendering, GetFeatureInfo, tests).
    public func collect(_ query: FeatureQuery) async throws -> [Feature] {
        let cursor = try await open(query)
        var all: [Feature] = []
        while let batch = try await cursor.next() { all.append(contentsOf: batch) }
        return all
    }
}

public enum VectorDataError: Error, CustomStringConvertible {
    case unavailable(String)
    case unknownTable(String)
    case queryFailed(String)

    public var description: String {
        switch self {
        case .unavailable(let s): "data store unavailable: \(s)"
        case .unknownTable(let s): "unknown table \(s)"
        case .queryFailed(let s): "query failed: \(s)"
        }
    }
}

extension VectorDataError: OGCErrorConvertible {
    /// A store that cannot be reached is a 503 (the client may retry); the rest are server-side failures.
    /// Details (SQL, hosts) stay in the log.
    public var ogcError: OGCError {
        switch self {
        case .unavailable:
            OGCError(.serviceUnavailable, "The data store of this layer is unavailable now: try again shortly")
        case .unknownTable:
            OGCError(.noApplicableCode, "The data of this layer cannot be found")
        case .queryFailed:
            OGCError(.operationProcessingFailed, "The query could not be processed")
        }
    }
}

/// Gives the vector source of a stored data (a PostGIS database or a GeoPackage file). Services take one;
/// the server passes the shared `SourceRegistry`.
public protocol VectorSourceProvider: Sendable {
    func source(for storedData: StoredData) async throws -> any VectorSource
}
