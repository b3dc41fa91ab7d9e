import Config
import Hummingbird
import ImageCodec
import OGCCore
import Rendering
import ServiceKit
import Styling
import Synchronization
import TileServices
import TileStore
import VectorData

/// WMS 1.3.0 and 1.1.1 of WMS-VECTOR endpoints (tables drawn with SLD styles through Cairo) and WMS-RASTER
/// endpoints (ROK4 pyramids resampled): GetCapabilities, GetMap, GetFeatureInfo, GetLegendGraphic. Both kinds
/// of layer go through the same parameters, capabilities and exceptions; an endpoint that publishes both (see
/// docs/configuration.md) draws them in one GetMap. Created once by the server; each request brings its own
/// `ServiceContext`.
public final class WebMapService: OGCService {
    let sources: any VectorSourceProvider
    let styles: SLDLoader
    let pool: RenderPool
    let pyramids: TileLayerResolver
    let capabilitiesCache = DocumentCache()

    /// - Parameters:
    ///   - sources: the data source of a stored data (the server's source registry).
    ///   - pyramids: the ROK4 pyramids of raster layers (the server's tile store registry).
    ///   - styles: the SLD loader (shared with the config validator, so parsed styles are cached once).
    ///   - pool: where drawing and encoding run (bounded, sized to the cores).
    public init(sources: any VectorSourceProvider, pyramids: TileStoreRegistry, styles: SLDLoader = SLDLoader(),
                pool: RenderPool = .shared) {
        self.sources = sources; self.styles = styles; self.pool = pool
        self.pyramids = TileLayerResolver(registry: pyramids)
    }

    public func handle(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let kvp = request.kvp
        let version = WMSVersion.of(kvp)
        if let s = kvp.nonEmpty("SERVICE"), s.uppercased() != "WMS" {
            throw OGCError.invalid("SERVICE", "SERVICE must be WMS")
        }
        let op = try kvp.required("REQUEST")
        do {
            switch op.lowercased() {
            case "getcapabilities", "capabilities": return try await getCapabilities(request, context, version: version)
            case "getmap", "map":
                try Self.requireVersion(kvp)
                return try await getMap(request, context, version: version)
            case "getfeatureinfo", "feature_info":
                try Self.requireVersion(kvp)
                return try await getFeatureInfo(request, context, version: version)
            case "getlegendgraphic": return try await getLegendGraphic(request, context, version: version)
            default:
                throw OGCError(.operationNotSupported, locator: "REQUEST", "Request \(op) is not supported by this WMS")
            }
        } catch is RenderPool.QueueFull {
            throw OGCError(.serviceUnavailable, "The server is busy drawing other maps: try again shortly")
        }
        // Store errors (VectorDataError, TileStoreError) go on to the dispatcher, which logs them and answers the
        // OGC exception each maps itself to (OGCErrorConvertible).
    }

    /// VERSION is mandatory in GetMap and GetFeatureInfo (WMS 1.3.0 §6.9.2, Annex E; WMTVER in 1.0).
    static func requireVersion(_ kvp: KVP) throws(OGCError) {
        if kvp.nonEmpty("VERSION") == nil && kvp.nonEmpty("WMTVER") == nil { throw OGCError.missing("VERSION") }
    }

    public func exceptionFlavour(for request: OGCRequest, _ context: ServiceContext) -> ExceptionFlavour {
        WMSVersion.of(request.kvp).flavour
    }

    var catalog: (ServiceContext) -> WMSCatalog {
        { [sources, styles, pyramids] ctx in WMSCatalog(context: ctx, sources: sources, styles: styles, pyramids: pyramids) }
    }

    func limits(_ context: ServiceContext) -> WMSLimits {
        let l = context.limits
        return WMSLimits(maxWidth: l.maxWidth, maxHeight: l.maxHeight, maxPixels: l.maxPixels,
                         maxFeatures: l.maxFeatures, maxSLDBytes: max(64 * 1024, l.maxFilterBytes), maxLayers: l.maxMapLayers)
    }
}
