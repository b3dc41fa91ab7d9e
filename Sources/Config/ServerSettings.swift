/// `server.json` at the root of the config directory: settings of the server itself. Every field is optional.
public struct ServerSettings: Sendable, Equatable, Codable {
    /// The URL clients reach the server at (used in capabilities); defaults to the request's Host.
    public var publicURL: String?
    /// Where SLD files referenced by `style` live; relative to the config directory. Default `../styles`,
    /// then `styles`.
    public var stylesDir: String?
    /// Where tile matrix set JSON files live; relative to the config directory. Default `tilematrixsets`.
    public var tileMatrixSetsDir: String?
    public var limits: Limits

    enum CodingKeys: String, CodingKey {
        case limits
        case publicURL = "public_url"
        case stylesDir = "styles_dir"
        case tileMatrixSetsDir = "tile_matrix_sets_dir"
    }

    public init() { limits = Limits() }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL)
        stylesDir = try c.decodeIfPresent(String.self, forKey: .stylesDir)
        tileMatrixSetsDir = try c.decodeIfPresent(String.self, forKey: .tileMatrixSetsDir)
        limits = try c.decodeIfPresent(Limits.self, forKey: .limits) ?? Limits()
    }
}

/// Safe defaults for everything a request could make expensive.
public struct Limits: Sendable, Equatable, Codable {
    public var maxWidth: Int = 4096
    public var maxHeight: Int = 4096
    public var maxPixels: Int = 4096 * 4096
    public var maxFeatures: Int = 100_000
    public var defaultFeatures: Int = 1_000
    public var maxFilterBytes: Int = 128 * 1024
    public var maxFilterDepth: Int = 32
    public var maxBodyBytes: Int = 2 * 1024 * 1024
    public var statementTimeoutMs: Int = 30_000
    public var maxConcurrentRenders: Int = 0   // 0: the number of cores
    public var renderQueueLength: Int = 64
    /// Layers in one WMS GetMap or GetFeatureInfo (LAYERS, QUERY_LAYERS, or the layers of an SLD_BODY).
    public var maxMapLayers: Int = 100

    enum CodingKeys: String, CodingKey {
        case maxWidth = "max_width", maxHeight = "max_height", maxPixels = "max_pixels"
        case maxFeatures = "max_features", defaultFeatures = "default_features"
        case maxFilterBytes = "max_filter_bytes", maxFilterDepth = "max_filter_depth"
        case maxBodyBytes = "max_body_bytes", statementTimeoutMs = "statement_timeout_ms"
        case maxConcurrentRenders = "max_concurrent_renders", renderQueueLength = "render_queue_length"
        case maxMapLayers = "max_map_layers"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Limits()
        maxWidth = try c.decodeIfPresent(Int.self, forKey: .maxWidth) ?? d.maxWidth
        maxHeight = try c.decodeIfPresent(Int.self, forKey: .maxHeight) ?? d.maxHeight
        maxPixels = try c.decodeIfPresent(Int.self, forKey: .maxPixels) ?? d.maxPixels
        maxFeatures = try c.decodeIfPresent(Int.self, forKey: .maxFeatures) ?? d.maxFeatures
        defaultFeatures = try c.decodeIfPresent(Int.self, forKey: .defaultFeatures) ?? d.defaultFeatures
        maxFilterBytes = try c.decodeIfPresent(Int.self, forKey: .maxFilterBytes) ?? d.maxFilterBytes
        maxFilterDepth = try c.decodeIfPresent(Int.self, forKey: .maxFilterDepth) ?? d.maxFilterDepth
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
        statementTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .statementTimeoutMs) ?? d.statementTimeoutMs
        maxConcurrentRenders = try c.decodeIfPresent(Int.self, forKey: .maxConcurrentRenders) ?? d.maxConcurrentRenders
        renderQueueLength = try c.decodeIfPresent(Int.self, forKey: .renderQueueLength) ?? d.renderQueueLength
        maxMapLayers = try c.decodeIfPresent(Int.self, forKey: .maxMapLayers) ?? d.maxMapLayers
    }
}
