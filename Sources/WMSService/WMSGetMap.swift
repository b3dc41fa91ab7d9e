import Hummingbird
import ImageCodec
import OGCCore
import Rendering
import ServiceKit

extension WMSVectorService {
    func getMap(_ request: OGCRequest, _ context: ServiceContext, version: WMSVersion) async throws -> Response {
        let p = try WMSMapParameters.parse(request.kvp, version: version, limits: limits(context), requireFormat: true)
        let catalog = catalog(context)
        let entries = try p.layers.map { name throws(OGCError) in try catalog.layer(name) }
        let view = p.view
        var fetched: [FetchedLayer] = []
        for (i, entry) in entries.enumerated() {
            for r in try await catalog.resolve(entry, styleName: p.style(at: i), sldBody: p.sldBody) {
                fetched.append(try await WMSFeatureFetch.fetch(r, view: view, crs: p.crs, properties: r.style.properties,
                                                              buffer: r.style.reachPixels(atScale: view.scaleDenominator),
                                                              limit: limits(context).maxFeatures))
            }
        }
        let crs = p.crs, format = p.format, toDraw = fetched
        // GeoServer's vendor parameter for tiling clients: labels anchored on whole geometries, the same in every tile.
        let tiled = request.kvp.nonEmpty("TILED")?.lowercased() == "true"
        let background = RenderBackground(colour: p.background, transparent: p.transparent)
        let bytes = try await pool.run { () throws -> [UInt8] in
            let layers = toDraw.map { RenderLayer(style: $0.relation.style, features: WMSFeatureFetch.renderFeatures($0, crs: crs)) }
            guard let image = MapRenderer().render(layers, view: view, background: background, tiled: tiled) else {
                throw OGCError(.noApplicableCode, "The map could not be drawn")
            }
            // An opaque map comes back as RGB already (the renderer drops the alpha of an opaque background).
            return try ImageEncoder.encode(image, as: format, options: .init(background: (p.background.r, p.background.g, p.background.b)))
        }
        return Response.bytes(bytes, contentType: format.mimeType)
    }
}
