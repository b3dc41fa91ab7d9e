import Config
import HTTPTypes
import Hummingbird
import Logging
import OGCCore

/// An OGC request as a service sees it: access is already decided, the endpoint already chosen.
public struct OGCRequest: Sendable {
    public var method: HTTPRequest.Method
    /// The path below the endpoint's own path: "" for KVP requests, "/layer/3/4/5.png" for REST tiles.
    public var subpath: String
    public var kvp: KVP
    /// The POST body (already size-limited), if any.
    public var body: ByteBuffer?
    public var headers: HTTPFields
    /// The URL of this endpoint as the client reached it (scheme, host, endpoint path), for the URLs that
    /// capabilities documents advertise.
    public var endpointURL: String
    /// Query parameters every advertised URL must carry so the client keeps working (the API key).
    public var persistentQuery: [(String, String)]

    public init(method: HTTPRequest.Method = .get, subpath: String = "", kvp: KVP = KVP(), body: ByteBuffer? = nil,
                headers: HTTPFields = [:], endpointURL: String = "http://localhost", persistentQuery: [(String, String)] = []) {
        self.method = method; self.subpath = subpath; self.kvp = kvp; self.body = body; self.headers = headers
        self.endpointURL = endpointURL; self.persistentQuery = persistentQuery
    }

    /// The endpoint URL with the persistent query, ready for `&KEY=VALUE` to be appended
    /// (ends with `?` or `&`), as OGC capabilities write their online resources.
    public var onlineResource: String {
        var s = endpointURL + "?"
        for (k, v) in persistentQuery { s += "\(KVP.percentEncode(k))=\(KVP.percentEncode(v))&" }
        return s
    }
}

/// What a service needs of the world for one request.
public struct ServiceContext: Sendable {
    public var snapshot: ConfigSnapshot
    public var endpoint: Endpoint
    /// The URL type the request came through: WMS, WFS, WMTS or TMS.
    public var urlType: String
    /// The offerings of this endpoint that this request may see, already filtered by access control.
    public var layers: [Published]
    /// A key identifying what `layers` holds (for caches of documents that depend on it).
    public var visibilityKey: String
    public var templates: TemplateLibrary
    public var logger: Logger

    public init(snapshot: ConfigSnapshot, endpoint: Endpoint, urlType: String, layers: [Published], visibilityKey: String,
                templates: TemplateLibrary, logger: Logger) {
        self.snapshot = snapshot; self.endpoint = endpoint; self.urlType = urlType; self.layers = layers
        self.visibilityKey = visibilityKey; self.templates = templates; self.logger = logger
    }

    public var limits: Limits { snapshot.settings.limits }
}

/// One OGC service family (WFS, WMS-VECTOR, WMTS/TMS, WMS-RASTER).
public protocol OGCService: Sendable {
    /// Answers a request. Throw `OGCError` for anything the client got wrong.
    func handle(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response

    /// How errors are written for this request (depends on the protocol version asked for).
    func exceptionFlavour(for request: OGCRequest, _ context: ServiceContext) -> ExceptionFlavour

    /// Renders an error for this request. The default writes the exception document of `exceptionFlavour`;
    /// WMS overrides it for EXCEPTIONS=INIMAGE/BLANK.
    func errorResponse(_ error: OGCError, for request: OGCRequest, _ context: ServiceContext) -> Response
}

extension OGCService {
    public func errorResponse(_ error: OGCError, for request: OGCRequest, _ context: ServiceContext) -> Response {
        Response.ogcError(error, flavour: exceptionFlavour(for: request, context))
    }
}
