import Config
import Foundation
import Geo
import Hummingbird
import ImageCodec
import NIOPosix
import OGCCore
import ServiceKit
import TileStore

/// WMS 1.3.0 / 1.1.1 over raster pyramids (WMS-RASTER configurations): GetCapabilities (the WMS templates
/// shared with WMS-VECTOR), GetMap (level by resolution, reprojection, nearest/bilinear/bicubic per the
/// configuration's `interpolation`, PNG/JPEG), GetFeatureInfo (pixel values) when `getfeatureinfo.stored_data`.
public final class WMSRasterService: OGCService {
    public let resolver: TileLayerResolver

    public init(registry: TileStoreRegistry) {
        self.resolver = TileLayerResolver(registry: registry)
    }

    static let mapFormats: [ImageFormat] = [.png, .jpeg]
    static let infoFormats = ["text/plain", "text/html", "application/json", "text/xml"]

    static func version(_ request: OGCRequest) -> String {
        let v = request.kvp.nonEmpty("VERSION") ?? request.kvp.nonEmpty("WMTVER") ?? "1.3.0"
        return v.hasPrefix("1.1") ? "1.1.1" : "1.3.0"
    }

    public func exceptionFlavour(for request: OGCRequest, _ context: ServiceContext) -> ExceptionFlavour {
        Self.version(request) == "1.1.1" ? .wms111 : .wms130
    }

    public func handle(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        guard !request.subpath.contains("..") else { throw OGCError.invalid("path", "Invalid path") }
        let kvp = request.kvp
        if let s = kvp.nonEmpty("SERVICE"), s.uppercased() != "WMS" { throw OGCError.invalid("SERVICE", "SERVICE must be WMS") }
        guard let req = kvp.nonEmpty("REQUEST") else { throw OGCError.missing("REQUEST") }
        switch req.lowercased() {
        case "getcapabilities", "capabilities":
            try UpdateSequence.check(kvp.nonEmpty("UPDATESEQUENCE"), current: String(context.snapshot.generation))
            return try await capabilities(request, context)
        case "getmap", "map":
            // VERSION is mandatory in GetMap and GetFeatureInfo (WMS 1.3.0 §6.9.2, Annex E).
            if kvp.nonEmpty("VERSION") == nil && kvp.nonEmpty("WMTVER") == nil { throw OGCError.missing("VERSION") }
            return try await getMap(request, context)
        case "getfeatureinfo":
            if kvp.nonEmpty("VERSION") == nil && kvp.nonEmpty("WMTVER") == nil { throw OGCError.missing("VERSION") }
            return try await featureInfo(request, context)
        default: throw OGCError(.operationNotSupported, locator: "REQUEST", "Request \(req) is not supported", status: 400)
        }
    }

    // MARK: Parameters shared by GetMap and GetFeatureInfo

    struct MapView {
        var layers: [TileLayer]
        var crs: CRSName
        var bbox: BBox
        var width: Int
        var height: Int
    }

    static func crsList(_ l: TileLayer) -> [String] {
        var out = [l.matrixSet.crs]
        for c in l.published.configuration.typeInfos.crs ?? ["EPSG:4326", "CRS:84", "EPSG:3857"] where !out.contains(c) { out.append(c) }
        return out
    }

    private func view(_ request: OGCRequest, _ context: ServiceContext, layersParam: String) async throws -> MapView {
        let kvp = request.kvp, v111 = Self.version(request) == "1.1.1"
        let names = try kvp.required(layersParam).split(separator: ",").map { String($0).trimmingSpaces }
        let maxLayers = context.limits.maxMapLayers
        guard names.count <= maxLayers else {
            throw OGCError.invalid(layersParam, "\(layersParam) names \(names.count) layers; at most \(maxLayers) (max_map_layers)")
        }
        var layers: [TileLayer] = []
        for n in names {
            guard let l = try await resolveLayer(resolver, named: n, context), !l.isVector else {
                throw OGCError(.layerNotDefined, locator: layersParam, "Unknown layer \(n)")
            }
            layers.append(l)
        }
        if let styles = kvp.list("STYLES") {
            for s in styles where !s.isEmpty && s != "normal" && s != "default" {
                throw OGCError(.styleNotDefined, locator: "STYLES", "Unknown style \(s)")
            }
        }
        let crsParam = v111 ? "SRS" : "CRS"
        let crsText = try kvp.required(crsParam)
        guard let crs = CRSName.parse(crsText), let info = CRSInfo.lookup(crs) else {
            throw OGCError(v111 ? .invalidSRS : .invalidCRS, locator: crsParam, "Unknown \(crsParam) \(crsText)")
        }
        for l in layers where !Self.crsList(l).contains(where: { CRSName.parse($0) == crs }) {
            throw OGCError(v111 ? .invalidSRS : .invalidCRS, locator: crsParam, "Layer \(l.name) is not offered in \(crsText)")
        }
        let (bbox, _) = try BBox.parse(try kvp.required("BBOX"), swapAxes: !v111 && info.isNorthFirst && !crs.isCRS84)
        guard !bbox.isEmpty else { throw OGCError.invalid("BBOX", "BBOX is empty") }
        guard let w = try kvp.integer("WIDTH", min: 1, max: context.limits.maxWidth) else { throw OGCError.missing("WIDTH") }
        guard let h = try kvp.integer("HEIGHT", min: 1, max: context.limits.maxHeight) else { throw OGCError.missing("HEIGHT") }
        guard w * h <= context.limits.maxPixels else { throw OGCError.invalid("WIDTH", "The image is too large") }
        return MapView(layers: layers, crs: crs, bbox: bbox, width: w, height: h)
    }

    // MARK: GetMap

    private func getMap(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let kvp = request.kvp
        let v = try await view(request, context, layersParam: "LAYERS")
        let formatText = try kvp.required("FORMAT")
        guard let format = ImageFormat.parse(formatText), Self.mapFormats.contains(format) || format == .png8 else {
            throw OGCError(.invalidFormat, locator: "FORMAT", "FORMAT must be image/png or image/jpeg")
        }
        let transparent = kvp.nonEmpty("TRANSPARENT")?.uppercased() == "TRUE" && format != .jpeg
        var bg: (UInt8, UInt8, UInt8) = (255, 255, 255)
        if let b = kvp.nonEmpty("BGCOLOR") {
            let hex = b.uppercased().replacingOccurrences(of: "0X", with: "").replacingOccurrences(of: "#", with: "")
            guard hex.count == 6, let n = UInt32(hex, radix: 16) else { throw OGCError.invalid("BGCOLOR", "BGCOLOR must be 0xRRGGBB") }
            bg = (UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff))
        }
        let background = bg
        let bytes = try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8] in
            var image: RasterImage?
            for l in v.layers {
                let img = try RasterRenderer.render(l, bbox: v.bbox, crs: v.crs.projName, width: v.width, height: v.height,
                                                    interpolation: Interpolation.parse(l.published.configuration.typeInfos.interpolation))
                // The first layer, or an opaque one (it hides what is under it), is the image as it is.
                guard let under = image, img.channels == 4 else { image = img; continue }
                var composed = under.asPremultipliedRGBA()
                composed.drawPremultiplied(img)
                image = composed
            }
            let out = image ?? RasterRenderer.transparent(v.width, v.height)
            return try ImageEncoder.encode(transparent ? out.unpremultiplied() : out.flattenedPremultiplied(onto: background), as: format)
        }
        return Response.bytes(bytes, contentType: format.mimeType)
    }

    // MARK: GetFeatureInfo

    private func featureInfo(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let kvp = request.kvp, v111 = Self.version(request) == "1.1.1"
        let v = try await view(request, context, layersParam: "QUERY_LAYERS")
        for l in v.layers where !l.getFeatureInfo {
            throw OGCError(.layerNotQueryable, locator: "QUERY_LAYERS", "Layer \(l.name) is not queryable")
        }
        let fmt = (kvp.nonEmpty("INFO_FORMAT") ?? "text/plain").lowercased()
        guard Self.infoFormats.contains(fmt) else {
            throw OGCError(.invalidFormat, locator: "INFO_FORMAT", "INFO_FORMAT must be one of \(Self.infoFormats.joined(separator: ", "))")
        }
        let iName = v111 ? "X" : "I", jName = v111 ? "Y" : "J"
        guard let i = try kvp.integer(iName, max: v.width - 1) else { throw OGCError.missing(iName) }
        guard let j = try kvp.integer(jName, max: v.height - 1) else { throw OGCError.missing(jName) }
        let x = v.bbox.minX + (Double(i) + 0.5) * v.bbox.width / Double(v.width)
        let y = v.bbox.maxY - (Double(j) + 0.5) * v.bbox.height / Double(v.height)
        let crs = v.crs.projName, width = v.width, height = v.height, bbox = v.bbox
        var parts: [String] = []
        for l in v.layers {
            let values = try await NIOThreadPool.singleton.runIfActive { () throws -> [Int] in
                let t = try CoordinateTransformer.make(from: crs, to: l.matrixSet.crs)
                let p = try t.transform(Coord(x, y))
                let res = try RasterRenderer.nativeResolution(bbox: bbox, crs: crs, width: width, height: height, layer: l)
                return try RasterRenderer.pixelValues(l, x: p.x, y: p.y, resolution: res)
            }
            parts.append(PixelQuery.render(values, layer: l.name, format: fmt))
        }
        return Response.text(parts.joined(separator: fmt == "text/plain" ? "\n" : ""), contentType: fmt + "; charset=UTF-8")
    }

    // MARK: GetCapabilities

    private func capabilities(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let version = Self.version(request)
        let layers = try await resolveLayers(resolver, context).filter { !$0.isVector }
        let ctx = Self.capabilitiesContext(layers, version: version, request, context)
        let doc = try context.templates.render(version == "1.1.1" ? "wms-1.1.1" : "wms-1.3.0", ctx)
        return Response.text(doc, contentType: version == "1.1.1" ? "application/vnd.ogc.wms_xml; charset=UTF-8" : "text/xml; charset=UTF-8")
    }

    static func capabilitiesContext(_ layers: [TileLayer], version: String, _ request: OGCRequest, _ context: ServiceContext) -> [String: Any] {
        let meta = context.endpoint.service, c = meta?.contact
        var service: [String: Any] = [
            "title": meta?.title ?? context.endpoint.name, "url": request.endpointURL,
            "fees": meta?.fees ?? "none", "accessConstraints": meta?.accessConstraints ?? "none",
        ]
        if let a = meta?.abstract { service["abstract"] = ["text": a] }
        if let k = meta?.keywords, !k.isEmpty { service["keywordList"] = ["keywords": k.map { ["keyword": $0] }] }
        if let c {
            var contact: [String: Any] = [:]
            if c.person != nil || c.organization != nil { contact["primary"] = ["person": c.person ?? "", "organization": c.organization ?? ""] }
            if let p = c.position { contact["position"] = ["text": p] }
            if c.address != nil || c.city != nil || c.country != nil {
                contact["address"] = ["street": c.address ?? "", "city": c.city ?? "", "postCode": c.postalCode ?? "", "country": c.country ?? ""]
            }
            if let p = c.phone { contact["phone"] = ["text": p] }
            if let e = c.email { contact["email"] = ["text": e] }
            service["contact"] = contact
        }
        func geo(_ b: BBox) -> [String: Any] { ["west": num(b.minX), "east": num(b.maxX), "south": num(b.minY), "north": num(b.maxY)] }
        var all: BBox?
        var allCRS: [String] = []
        let layerCtx = layers.map { l -> [String: Any] in
            all = all.map { $0.union(l.wgs84BBox) } ?? l.wgs84BBox
            let crsList = crsList(l)
            for c in crsList where !allCRS.contains(c) { allCRS.append(c) }
            var bboxes: [[String: Any]] = []
            for name in crsList {
                guard let crs = CRSName.parse(name), !crs.isCRS84 || version == "1.3.0",
                      let t = try? CoordinateTransformer.make(from: "OGC:CRS84", to: crs.projName),
                      let b = try? t.transform(l.wgs84BBox) else { continue }
                let swap = version == "1.3.0" && (CRSInfo.lookup(crs)?.isNorthFirst ?? false) && !crs.isCRS84
                bboxes.append(["crs": name, "minx": num(swap ? b.minY : b.minX), "miny": num(swap ? b.minX : b.minY),
                               "maxx": num(swap ? b.maxY : b.maxX), "maxy": num(swap ? b.maxX : b.maxY)])
            }
            var d: [String: Any] = [
                "queryable": l.getFeatureInfo ? "1" : "0", "opaque": (l.raster?.channels ?? 3) == 3 ? "1" : "0",
                "name": l.name, "title": l.title, "crs": crsList.map { ["name": $0] }, "geo": geo(l.wgs84BBox),
                "bboxes": bboxes, "styles": [["name": "normal", "title": "normal"]],
                "minScale": ["value": num(l.bottom.matrix.scaleDenominator / 2)],
            ]
            if !l.abstract.isEmpty { d["abstract"] = ["text": l.abstract] }
            if !l.keywords.isEmpty { d["keywordList"] = ["keywords": l.keywords.map { ["keyword": $0] }] }
            if let a = l.published.configuration.attribution {
                var at: [String: Any] = ["title": a.title, "url": a.url]
                if let logo = a.logo { at["logo"] = ["format": logo.format, "url": logo.url, "width": logo.width, "height": logo.height] }
                d["attribution"] = at
            }
            d["metadata"] = (l.published.configuration.metadata ?? []).map { ["type": $0.type, "format": $0.format, "url": $0.url] }
            return d
        }
        var root: [String: Any] = ["title": meta?.title ?? context.endpoint.name, "crs": allCRS.map { ["name": $0] }]
        if let a = all { root["geo"] = geo(a) }
        return [
            "updateSequence": String(context.snapshot.generation),
            "service": service,
            "maxWidth": context.limits.maxWidth, "maxHeight": context.limits.maxHeight,
            "onlineResource": request.onlineResource,
            "mapFormats": mapFormats.map { ["format": $0.mimeType] },
            "hasFeatureInfo": layers.contains(where: \.getFeatureInfo),
            "featureInfoFormats": infoFormats.map { ["format": $0] },
            "root": root,
            "layers": layerCtx,
        ]
    }
}
