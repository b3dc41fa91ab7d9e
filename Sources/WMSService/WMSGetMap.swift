import Hummingbird
import ImageCodec
import OGCCore
import Rendering
import ServiceKit
import TileServices

extension WebMapService {
    /// Vector layers are fetched first (asynchronously), then everything is drawn on the render pool in LAYERS
    /// order, the first at the bottom: raster layers resampled from their pyramid, vector layers drawn with their
    /// style, labels over all. A map of raster layers only is composed without Cairo.
    func getMap(_ request: OGCRequest, _ context: ServiceContext, version: WMSVersion) async throws -> Response {
        let p = try WMSMapParameters.parse(request.kvp, version: version, limits: limits(context), requireFormat: true)
        let catalog = catalog(context)
        let view = p.view
        var planes: [MapPlane] = []
        for (i, name) in p.layers.enumerated() {
            switch try await catalog.layer(name) {
            case .vector(let entry):
                for r in try await catalog.resolve(entry, styleName: p.style(at: i), sldBody: p.sldBody) {
                    planes.append(.features(try await WMSFeatureFetch.fetch(r, view: view, crs: p.crs, properties: r.style.properties,
                                                                           buffer: r.style.reachPixels(atScale: view.scaleDenominator),
                                                                           limit: limits(context).maxFeatures)))
                }
            case .raster(let layer):
                try RasterRenderer.checkStyle(p.style(at: i), of: layer)
                planes.append(.raster(layer))
            }
        }
        let crs = p.crs, format = p.format, toDraw = planes
        // GeoServer's vendor parameter for tiling clients: labels anchored on whole geometries, the same in every tile.
        let tiled = request.kvp.nonEmpty("TILED")?.lowercased() == "true"
        let background = RenderBackground(colour: p.background, transparent: p.transparent)
        let bg = (p.background.r, p.background.g, p.background.b)
        let bytes = try await pool.run { (job: RenderJob) throws -> [UInt8] in
            let raster = { (l: TileLayer) throws -> RasterImage in
                try RasterRenderer.render(l, bbox: view.bbox, crs: crs.projName, width: view.width, height: view.height,
                                          interpolation: Interpolation.parse(l.published.configuration.typeInfos.interpolation))
            }
            let image: RasterImage
            if toDraw.allSatisfy(\.isRaster) {
                image = try RasterRenderer.compose(toDraw.compactMap(\.rasterLayer).map(raster), width: view.width, height: view.height)
                    .finished(transparent: p.transparent, background: bg)
            } else {
                let layers = try toDraw.map { plane -> RenderLayer in
                    switch plane {
                    case .features(let f): RenderLayer(style: f.relation.style, features: WMSFeatureFetch.renderFeatures(f, crs: crs))
                    case .raster(let l): RenderLayer(image: try raster(l))
                    }
                }
                guard let drawn = MapRenderer().render(layers, view: view, background: background, tiled: tiled,
                                                       shouldStop: { job.isCancelled }) else {
                    if job.isCancelled { throw CancellationError() }
                    throw OGCError(.noApplicableCode, "The map could not be drawn")
                }
                image = drawn
            }
            if job.isCancelled { throw CancellationError() }
            // An opaque map comes back as RGB already (the renderer drops the alpha of an opaque background).
            return try ImageEncoder.encode(image, as: format, options: .init(background: bg), shouldStop: { job.isCancelled })
        }
        return Response.bytes(bytes, contentType: format.mimeType)
    }
}

/// One layer of a GetMap, ready to draw.
enum MapPlane: Sendable {
    case features(FetchedLayer)
    case raster(TileLayer)

    var isRaster: Bool { rasterLayer != nil }
    var rasterLayer: TileLayer? {
        if case .raster(let l) = self { return l }
        return nil
    }
}

extension RasterImage {
    /// The final image of premultiplied layers: straight-alpha RGBA when transparent, else flattened on the
    /// background colour.
    func finished(transparent: Bool, background: (UInt8, UInt8, UInt8)) -> RasterImage {
        transparent ? unpremultiplied() : flattenedPremultiplied(onto: background)
    }
}
