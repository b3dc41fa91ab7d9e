import OGCCore

// The platform's objects, as the Géoplateforme API writes them (see docs/config.md). Unknown fields are
// ignored; the only additions are where the platform keeps things elsewhere: the storage location of stored
// data, the URL paths and service metadata of endpoints.

/// Kinds of endpoints and configurations this server publishes.
public enum ServiceType: String, Codable, Sendable, CaseIterable {
    case wmsVector = "WMS-VECTOR"
    case wfs = "WFS"
    case wmtsTms = "WMTS-TMS"
    case wmsRaster = "WMS-RASTER"
}

// MARK: Endpoint

public struct Endpoint: Sendable, Equatable, Codable {
    public var id: String = ""
    public var name: String
    public var technicalName: String?
    public var type: ServiceType
    /// `{type, url}`: each URL's path is where the endpoint answers (`/wfs`, `/private/wms-v`, `/tms/1.0.0`).
    public var urls: [EndpointURL]
    /// true: no access control; false: a key is required for the offerings that are not open.
    public var open: Bool
    public var service: ServiceMetadata?
    /// CORS (`Access-Control-Allow-Origin: *`) on every answer; on by default.
    public var cors: Bool?

    enum CodingKeys: String, CodingKey {
        case name, type, urls, open, service, cors
        case technicalName = "technical_name"
    }

    public init(id: String, name: String, type: ServiceType, urls: [EndpointURL], open: Bool,
                service: ServiceMetadata? = nil) {
        self.id = id; self.name = name; self.type = type; self.urls = urls; self.open = open; self.service = service
    }
}

public struct EndpointURL: Sendable, Equatable, Codable {
    /// WMS, WFS, WMTS or TMS.
    public var type: String
    public var url: String

    public init(type: String, url: String) { self.type = type; self.url = url }

    /// The path part of `url`, normalised: leading slash, no trailing slash.
    public var path: String {
        var s = Substring(url)
        if let r = s.range(of: "://") {
            s = s[r.upperBound...]
            s = s.firstIndex(of: "/").map { s[$0...] } ?? "/"
        }
        if let q = s.firstIndex(where: { $0 == "?" || $0 == "#" }) { s = s[..<q] }
        var p = String(s)
        while p.hasSuffix("/") && p.count > 1 { p.removeLast() }
        if !p.hasPrefix("/") { p = "/" + p }
        return p
    }
}

/// What a capabilities document says of the service itself.
public struct ServiceMetadata: Sendable, Equatable, Codable {
    public var title: String?
    public var abstract: String?
    public var keywords: [String]?
    public var fees: String?
    public var accessConstraints: String?
    public var contact: Contact?

    enum CodingKeys: String, CodingKey {
        case title, abstract, keywords, fees, contact
        case accessConstraints = "access_constraints"
    }

    public init(title: String? = nil, abstract: String? = nil) { self.title = title; self.abstract = abstract }
}

public struct Contact: Sendable, Equatable, Codable {
    public var organization: String?
    public var person: String?
    public var position: String?
    public var email: String?
    public var phone: String?
    public var url: String?
    public var address: String?
    public var city: String?
    public var postalCode: String?
    public var country: String?

    enum CodingKeys: String, CodingKey {
        case organization, person, position, email, phone, url, address, city, country
        case postalCode = "postal_code"
    }
}

// MARK: Stored data

public enum StoredDataType: String, Codable, Sendable {
    case vectorDB = "VECTOR-DB"
    case rok4PyramidRaster = "ROK4-PYRAMID-RASTER"
    case rok4PyramidVector = "ROK4-PYRAMID-VECTOR"
}

public struct StoredData: Sendable, Equatable, Codable {
    public var id: String = ""
    public var name: String
    public var type: StoredDataType
    public var srs: String?
    public var storage: Storage
    public var typeInfos: StoredDataTypeInfos?
    /// `GENERATING`, `GENERATED`, … as the platform reports it; informative here.
    public var status: String?
    /// Bytes on disk (tables with their indexes, or a pyramid's slabs).
    public var size: Int?
    /// Where the data is, in WGS84 longitude/latitude (a GeoJSON polygon, as the platform's `extent`).
    public var extent: GeoJSONPolygon?

    enum CodingKeys: String, CodingKey {
        case name, type, srs, storage, status, size, extent
        case typeInfos = "type_infos"
    }

    public init(id: String, name: String, type: StoredDataType, storage: Storage, typeInfos: StoredDataTypeInfos? = nil) {
        self.id = id; self.name = name; self.type = type; self.storage = storage; self.typeInfos = typeInfos
    }
}

/// A GeoJSON polygon in WGS84 longitude/latitude: a stored data's `extent`.
public struct GeoJSONPolygon: Sendable, Equatable, Codable {
    public var type: String
    public var coordinates: [[[Double]]]

    /// The rectangle of a bounding box, counter-clockwise from its south-west corner.
    public init(_ b: GeoBBox) {
        type = "Polygon"
        coordinates = [[[b.west, b.south], [b.east, b.south], [b.east, b.north], [b.west, b.north], [b.west, b.south]]]
    }

    /// The bounding box of the outer ring (nil when it has no point).
    public var bbox: GeoBBox? {
        let points = coordinates.first ?? []
        let xs = points.compactMap { $0.first }, ys = points.compactMap { $0.count > 1 ? $0[1] : nil }
        guard let w = xs.min(), let e = xs.max(), let s = ys.min(), let n = ys.max() else { return nil }
        return GeoBBox(west: w, south: s, east: e, north: n)
    }
}

/// Where a stored data lives. The platform reports only `type` (and `labels`); the rest is Passerelle's.
public struct Storage: Sendable, Equatable, Codable {
    /// POSTGRESQL, FILESYSTEM (GeoPackage file or pyramid descriptor), S3.
    public var type: String
    /// FILESYSTEM: a GeoPackage file (VECTOR-DB) or a pyramid descriptor (ROK4-PYRAMID-*), relative to the
    /// config directory or absolute. Resolved to an absolute path at load.
    /// S3 (ROK4-PYRAMID-*): the descriptor object, `s3://BUCKET/NAME.json` or `s3://BUCKET@HOST/NAME.json`
    /// (HOST picks a cluster of `ROK4_S3_URL`), kept as written.
    public var path: String?
    /// POSTGRESQL: the name of an environment variable holding a libpq URL or key=value connection string.
    public var connectionEnv: String?
    /// POSTGRESQL: the names of environment variables each holding the connection string (same forms as
    /// `connection_env`) of a read replica of that database (`"read_replica_envs": ["PG_REPLICA_1", …]`). Reads
    /// are spread over the replicas that are up and fall back to the primary (`connection_env`); a replica
    /// that cannot be reached is skipped until a probe finds it back. Optional; none: every read goes to the primary.
    public var readReplicaEnvs: [String]?
    /// POSTGRESQL: a libpq service name (pg_service.conf).
    public var service: String?
    /// POSTGRESQL: the schema holding the relations (default `public`).
    public var schema: String?
    public var labels: [String]?

    enum CodingKeys: String, CodingKey {
        case type, path, service, schema, labels
        case connectionEnv = "connection_env"
        case readReplicaEnvs = "read_replica_envs"
    }

    public init(type: String, path: String? = nil, connectionEnv: String? = nil, schema: String? = nil,
                readReplicaEnvs: [String]? = nil) {
        self.type = type; self.path = path; self.connectionEnv = connectionEnv; self.schema = schema
        self.readReplicaEnvs = readReplicaEnvs
    }
}

public struct StoredDataTypeInfos: Sendable, Equatable, Codable {
    // VECTOR-DB
    public var relations: [Relation]?
    // ROK4 pyramids
    public var tms: String?
    public var levels: [LevelID]?
    public var channelsFormat: String?
    public var channelsNumber: Int?
    public var compression: String?
    public var nodataValue: String?

    enum CodingKeys: String, CodingKey {
        case relations, tms, levels, compression
        case channelsFormat = "channels_format"
        case channelsNumber = "channels_number"
        case nodataValue = "nodata_value"
    }

    public init(relations: [Relation]? = nil) { self.relations = relations }
}

/// A table or view of a VECTOR-DB, with its columns. `attributes` is a map name → PostgreSQL type in the API
/// schema and a plain list of names in the guides: both are accepted.
public struct Relation: Sendable, Equatable, Codable {
    public var name: String
    public var type: String?
    public var attributes: [String: String]
    public var attributeOrder: [String]
    public var primaryKey: [String]?

    enum CodingKeys: String, CodingKey {
        case name, type, attributes
        case primaryKey = "primary_key"
    }

    public init(name: String, attributes: [String] = [], primaryKey: [String]? = nil) {
        self.name = name; self.attributeOrder = attributes
        self.attributes = Dictionary(attributes.map { ($0, "") }, uniquingKeysWith: { a, _ in a })
        self.primaryKey = primaryKey
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        primaryKey = try c.decodeIfPresent([String].self, forKey: .primaryKey)
        if let list = try? c.decode([String].self, forKey: .attributes) {
            attributeOrder = list
            attributes = Dictionary(list.map { ($0, "") }, uniquingKeysWith: { a, _ in a })
        } else if let map = try c.decodeIfPresent([String: String].self, forKey: .attributes) {
            attributes = map
            attributeOrder = map.keys.sorted()
        } else {
            attributes = [:]; attributeOrder = []
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encode(attributes, forKey: .attributes)
        try c.encodeIfPresent(primaryKey, forKey: .primaryKey)
    }
}

/// Pyramid levels are strings in the API ("9"); numbers are accepted too.
public struct LevelID: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var value: String
    public init(_ v: String) { value = v }
    public init(stringLiteral v: String) { value = v }
    public var description: String { value }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { value = s } else { value = String(try c.decode(Int.self)) }
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

// MARK: Configuration

public struct Configuration: Sendable, Equatable, Codable {
    public var id: String = ""
    public var type: ServiceType
    public var name: String
    public var layerName: String
    public var attribution: Attribution?
    public var metadata: [MetadataLink]?
    public var typeInfos: ConfigurationTypeInfos

    enum CodingKeys: String, CodingKey {
        case type, name, attribution, metadata, getfeatureinfo
        case layerName = "layer_name"
        case typeInfos = "type_infos"
    }

    public init(id: String, type: ServiceType, name: String, layerName: String, typeInfos: ConfigurationTypeInfos) {
        self.id = id; self.type = type; self.name = name; self.layerName = layerName; self.typeInfos = typeInfos
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(ServiceType.self, forKey: .type)
        name = try c.decode(String.self, forKey: .name)
        layerName = try c.decode(String.self, forKey: .layerName)
        attribution = try c.decodeIfPresent(Attribution.self, forKey: .attribution)
        metadata = try c.decodeIfPresent([MetadataLink].self, forKey: .metadata)
        typeInfos = try c.decode(ConfigurationTypeInfos.self, forKey: .typeInfos)
        // Some workflows put getfeatureinfo beside type_infos instead of inside it.
        if typeInfos.getfeatureinfo == nil {
            typeInfos.getfeatureinfo = try c.decodeIfPresent(GetFeatureInfoSource.self, forKey: .getfeatureinfo)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(name, forKey: .name)
        try c.encode(layerName, forKey: .layerName)
        try c.encodeIfPresent(attribution, forKey: .attribution)
        try c.encodeIfPresent(metadata, forKey: .metadata)
        try c.encode(typeInfos, forKey: .typeInfos)
    }
}

public struct Attribution: Sendable, Equatable, Codable {
    public var title: String
    public var url: String
    public var logo: Logo?

    public struct Logo: Sendable, Equatable, Codable {
        public var format: String
        public var url: String
        public var width: Int
        public var height: Int
    }
}

public struct MetadataLink: Sendable, Equatable, Codable {
    public var format: String
    public var url: String
    public var type: String
}

/// A bounding box in WGS84 degrees, as the platform writes it.
public struct GeoBBox: Sendable, Equatable, Codable {
    public var west: Double
    public var south: Double
    public var east: Double
    public var north: Double

    public init(west: Double, south: Double, east: Double, north: Double) {
        self.west = west; self.south = south; self.east = east; self.north = north
    }

    public var bbox: BBox { BBox(minX: west, minY: south, maxX: east, maxY: north) }
}

/// `getfeatureinfo`: `{"stored_data": true}` or `{"server_url": "…"}`.
public struct GetFeatureInfoSource: Sendable, Equatable, Codable {
    public var storedData: Bool?
    public var serverURL: String?

    enum CodingKeys: String, CodingKey {
        case storedData = "stored_data"
        case serverURL = "server_url"
    }
}

/// The union of the `type_infos` of the configuration types; which fields are required depends on the
/// type and is checked by the loader.
public struct ConfigurationTypeInfos: Sendable, Equatable, Codable {
    public var title: String?
    public var abstract: String?
    public var keywords: [String]?
    public var bbox: GeoBBox?
    public var usedData: [UsedData]
    public var styles: [String]?
    public var getfeatureinfo: GetFeatureInfoSource?
    // WMS-RASTER
    public var interpolation: String?
    public var bottomResolution: Double?
    public var topResolution: Double?
    // Passerelle additions (absent from the platform's schema; all optional)
    /// CRSs advertised beside the native one (WMS, WFS OtherCRS), e.g. ["EPSG:3857", "EPSG:2154"].
    public var crs: [String]?
    /// WFS: features per page when the client gives no count, and the most a request may ask for.
    public var defaultCount: Int?
    public var maxCount: Int?
    /// WMTS-TMS: what a tile of the matrix without data answers: `nodata` (default; a tile of the nodata value,
    /// or 204 for vector tiles) or `404` (as ROK4).
    public var missingTiles: String?

    enum CodingKeys: String, CodingKey {
        case title, abstract, keywords, bbox, styles, getfeatureinfo, interpolation, crs
        case usedData = "used_data"
        case bottomResolution = "bottom_resolution"
        case topResolution = "top_resolution"
        case defaultCount = "default_count"
        case maxCount = "max_count"
        case missingTiles = "missing_tiles"
    }

    public init(usedData: [UsedData]) { self.usedData = usedData }
}

/// One stored data used by a configuration, with its relations (vector) or levels (pyramids).
public struct UsedData: Sendable, Equatable, Codable {
    public var storedData: String
    public var relations: [UsedRelation]?
    public var bottomLevel: LevelID?
    public var topLevel: LevelID?
    public var exposePrimaryKey: Bool?

    enum CodingKeys: String, CodingKey {
        case relations
        case storedData = "stored_data"
        case bottomLevel = "bottom_level"
        case topLevel = "top_level"
        case exposePrimaryKey = "expose_primary_key"
    }

    public init(storedData: String, relations: [UsedRelation]? = nil) {
        self.storedData = storedData; self.relations = relations
    }
}

/// A relation used by a WFS (`native_name`, `public_name`, `title`, `abstract`, `keywords`) or a WMS-VECTOR
/// (`name`, `style`) configuration.
public struct UsedRelation: Sendable, Equatable, Codable {
    public var nativeName: String?
    public var publicName: String?
    public var name: String?
    public var title: String?
    public var abstract: String?
    public var keywords: [String]?
    public var style: String?
    public var ftl: String?

    enum CodingKeys: String, CodingKey {
        case name, title, abstract, keywords, style, ftl
        case nativeName = "native_name"
        case publicName = "public_name"
    }

    public init(nativeName: String? = nil, name: String? = nil, title: String? = nil, style: String? = nil) {
        self.nativeName = nativeName; self.name = name; self.title = title; self.style = style
    }

    /// The table: `native_name` (WFS) or `name` (WMS-VECTOR).
    public var table: String { nativeName ?? name ?? "" }
    /// The name clients see: `public_name`, else the table.
    public var exposedName: String { publicName ?? table }
}

// MARK: Offering

public struct Offering: Sendable, Equatable, Codable {
    public var id: String = ""
    public var configuration: String
    public var endpoint: String
    public var open: Bool
    public var available: Bool

    enum CodingKeys: String, CodingKey { case configuration, endpoint, open, available }
    enum RefKeys: String, CodingKey { case id = "_id", technicalName = "technical_name", name }

    public init(id: String, configuration: String, endpoint: String, open: Bool = true, available: Bool = true) {
        self.id = id; self.configuration = configuration; self.endpoint = endpoint; self.open = open; self.available = available
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // A reference is an id, or an object as the platform's API returns it: `{_id, …}`, or without `_id`
        // `{technical_name}` / `{name}`, which the loader resolves to the object of that name.
        func ref(_ key: CodingKeys) throws -> String {
            if let s = try? c.decode(String.self, forKey: key) { return s }
            let nested = try c.nestedContainer(keyedBy: RefKeys.self, forKey: key)
            for k in [RefKeys.id, .technicalName, .name] {
                if let s = try nested.decodeIfPresent(String.self, forKey: k) { return s }
            }
            return try nested.decode(String.self, forKey: .id)
        }
        configuration = try ref(.configuration)
        endpoint = try ref(.endpoint)
        open = try c.decodeIfPresent(Bool.self, forKey: .open) ?? false
        available = try c.decodeIfPresent(Bool.self, forKey: .available) ?? true
    }
}
