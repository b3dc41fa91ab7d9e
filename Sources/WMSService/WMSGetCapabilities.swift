import Config
import Geo
import Hummingbird
import ImageCodec
import OGCCore
import ServiceKit
import Styling
import TileServices

extension WebMapService {
    /// The CRSs every layer offers, beside those of its configuration (`type_infos.crs`).
    static let standardCRS = ["EPSG:4326", "CRS:84", "EPSG:3857", "EPSG:2154"]
    static let featureInfoFormats = ["text/plain", "text/html", "application/json", "application/vnd.ogc.gml"]

    func getCapabilities(_ request: OGCRequest, _ context: ServiceContext, version: WMSVersion) async throws -> Response {
        let contentType = version == .v130 ? "text/xml" : "application/vnd.ogc.wms_xml"
        try UpdateSequence.check(request.kvp.nonEmpty("UPDATESEQUENCE"), current: String(context.snapshot.generation))
        let doc = try await capabilitiesCache.document(DocumentCache.key(request, context, version: version.rawValue)) {
            try await capabilitiesDocument(request, context, version: version)
        }
        return Response.bytes(doc, contentType: contentType)
    }

    private func capabilitiesDocument(_ request: OGCRequest, _ context: ServiceContext, version: WMSVersion) async throws -> [UInt8] {
        let catalog = catalog(context)
        var layers: [[String: Any]] = []
        var union: BBox? = nil
        var allCRS = WebMapService.standardCRS
        for layer in try await catalog.allLayers() {
            let info: LayerDescription
            switch layer {
            case .vector(let entry): info = try await describe(entry, catalog: catalog)
            case .raster(let l): info = describe(l)
            }
            union = union.map { $0.union(info.geo) } ?? info.geo
            for c in info.crs where !allCRS.contains(c) { allCRS.append(c) }
            layers.append(CapabilitiesDocument.layer(info, version: version, onlineResource: request.onlineResource))
        }
        let doc = CapabilitiesDocument.document(
            version: version, endpoint: context.endpoint, onlineResource: request.onlineResource,
            limits: limits(context), updateSequence: context.snapshot.generation, layers: layers,
            rootCRS: allCRS, rootGeo: union,
            mapFormats: ImageEncoder.availableFormats.map(\.mimeType), featureInfoFormats: WebMapService.featureInfoFormats)
        let name = version == .v130 ? "wms-1.3.0" : "wms-1.1.1"
        return Array(try context.templates.render(name, doc).utf8)
    }

    /// Everything capabilities say of one layer.
    func describe(_ entry: WMSLayerEntry, catalog: WMSCatalog) async throws -> LayerDescription {
        let c = entry.published.configuration
        var geo = c.typeInfos.bbox?.bbox
        var minScale: Double? = nil, maxScale: Double? = nil, anyUnboundedMin = false, anyUnboundedMax = false
        var title = c.typeInfos.title ?? c.layerName
        for (sd, r) in entry.relations {
            let source = try await sources.source(for: sd)
            if geo == nil, let schema = try? await source.schema(of: r.table), let e = schema.extent {
                let g = schema.srid == 4326 ? e : (try? CoordinateTransformer.make(from: "EPSG:\(schema.srid)", to: "EPSG:4326").transform(e))
                if let g { geo = geo.map { $0.union(g) } ?? g }
            }
            let style = catalog.configuredSLD(r)?.layer(named: r.table)?.defaultStyle
            let range: (min: Double?, max: Double?) = style?.scaleRange ?? (nil, nil)
            if let m = range.min { minScale = min(minScale ?? m, m) } else { anyUnboundedMin = true }
            if let m = range.max { maxScale = max(maxScale ?? m, m) } else { anyUnboundedMax = true }
        }
        if title.isEmpty { title = c.layerName }
        var crs = WebMapService.standardCRS
        for extra in c.typeInfos.crs ?? [] {
            if let n = CRSName.parse(extra), CRSInfo.lookup(n) != nil, !crs.contains(n.description) { crs.append(n.description) }
        }
        let g = geo ?? BBox(minX: -180, minY: -90, maxX: 180, maxY: 90)
        let clamped = BBox(minX: max(-180, g.minX), minY: max(-90, g.minY), maxX: min(180, g.maxX), maxY: min(90, g.maxY))
        var styles = [(name: "default", title: c.typeInfos.title.map { "\($0) (default)" } ?? "Default")]
        for s in catalog.extraStyleNames(entry) { styles.append((s, s)) }
        return LayerDescription(
            name: c.layerName, title: title, abstract: c.typeInfos.abstract, keywords: c.typeInfos.keywords ?? [],
            crs: crs, geo: clamped, attribution: c.attribution, metadata: c.metadata ?? [], styles: styles,
            minScale: anyUnboundedMin ? nil : minScale, maxScale: anyUnboundedMax ? nil : maxScale)
    }
}

extension WebMapService {
    /// Everything capabilities say of a raster layer: its pyramid's extent, CRSs (the pyramid's own first),
    /// queryable when its configuration asks for pixel values, opaque when it has no alpha, and shown from half
    /// the finest level's scale (finer, it would only be enlarged).
    func describe(_ l: TileLayer) -> LayerDescription {
        let c = l.published.configuration
        var crs = [l.matrixSet.crs]
        for extra in WebMapService.standardCRS + (c.typeInfos.crs ?? []) {
            if let n = CRSName.parse(extra), CRSInfo.lookup(n) != nil, !crs.contains(n.description) { crs.append(n.description) }
        }
        let g = l.wgs84BBox
        return LayerDescription(
            name: l.name, title: l.title, abstract: l.abstract.isEmpty ? nil : l.abstract, keywords: l.keywords,
            crs: crs, geo: BBox(minX: max(-180, g.minX), minY: max(-90, g.minY), maxX: min(180, g.maxX), maxY: min(90, g.maxY)),
            attribution: c.attribution, metadata: c.metadata ?? [],
            styles: [(name: "default", title: c.typeInfos.title.map { "\($0) (default)" } ?? "Default")],
            minScale: l.bottom.matrix.scaleDenominator / 2, maxScale: nil,
            queryable: l.getFeatureInfo, opaque: (l.raster?.channels ?? 3) != 2 && (l.raster?.channels ?? 3) != 4, hasLegend: false)
    }
}

struct LayerDescription {
    var name: String
    var title: String
    var abstract: String?
    var keywords: [String]
    var crs: [String]
    var geo: BBox
    var attribution: Attribution?
    var metadata: [MetadataLink]
    var styles: [(name: String, title: String)]
    var minScale: Double?
    var maxScale: Double?
    var queryable = true
    var opaque = false
    /// Whether GetLegendGraphic draws the layer's styles (raster layers have none).
    var hasLegend = true
}
