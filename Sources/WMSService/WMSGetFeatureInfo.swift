import Filters
import Geo
import Hummingbird
import NIOPosix
import OGCCore
import Rendering
import ServiceKit
import Styling
import TileServices

extension WebMapService {
    /// Pixels around the queried point within which a line or point feature counts as hit.
    static let featureInfoTolerance = 3.0

    func getFeatureInfo(_ request: OGCRequest, _ context: ServiceContext, version: WMSVersion) async throws -> Response {
        let kvp = request.kvp
        let p = try WMSMapParameters.parse(kvp, version: version, limits: limits(context), requireFormat: false)
        guard let queryLayers = kvp.list("QUERY_LAYERS"), !queryLayers.isEmpty, !queryLayers.contains("") else {
            throw OGCError.missing("QUERY_LAYERS")
        }
        let infoFormat = kvp.nonEmpty("INFO_FORMAT") ?? "text/plain"
        guard let format = FeatureInfoFormat(rawValue: infoFormat.lowercased().split(separator: ";").first.map { String($0).trimmingSpaces } ?? "") else {
            throw OGCError(.invalidFormat, locator: "INFO_FORMAT", "INFO_FORMAT \(infoFormat) is not supported")
        }
        let (iName, jName) = version.pointParameters
        func pixel(_ name: String, _ size: Int) throws(OGCError) -> Int {
            guard let raw = kvp.nonEmpty(name) ?? kvp.nonEmpty(name == "I" ? "X" : name == "J" ? "Y" : name == "X" ? "I" : "J") else {
                throw OGCError.missing(name)
            }
            guard let v = Int(raw), v >= 0, v < size else {
                throw OGCError(.invalidPoint, locator: name, "\(name) must be a pixel of the map (0 to \(size - 1))")
            }
            return v
        }
        let i = try pixel(iName, p.width), j = try pixel(jName, p.height)
        let count = try kvp.integer("FEATURE_COUNT", min: 1, max: 1000) ?? 1

        let catalog = catalog(context)
        let view = p.view
        let point = view.world(x: Double(i) + 0.5, y: Double(j) + 0.5)
        let tolerance = WebMapService.featureInfoTolerance * view.pixelSize
        var hits: [FeatureInfoHit] = []
        for name in queryLayers {
            let layer = try await catalog.layer(name, parameter: "QUERY_LAYERS")
            if !p.layers.contains(name) {
                throw OGCError(.layerNotQueryable, locator: "QUERY_LAYERS", "Layer \(name) is not in LAYERS")
            }
            let styleIndex = p.layers.firstIndex(of: name) ?? 0
            let entry: WMSLayerEntry
            switch layer {
            case .vector(let e): entry = e
            case .raster(let l):
                guard l.getFeatureInfo else {
                    throw OGCError(.layerNotQueryable, locator: "QUERY_LAYERS", "Layer \(name) is not queryable")
                }
                if hits.count < count { hits.append(try await pixelHit(l, at: point, p)) }
                continue
            }
            // The top relation first: the feature drawn on top answers first.
            let relations = try await catalog.resolve(entry, styleName: p.style(at: styleIndex), sldBody: p.sldBody).reversed()
            for r in relations where hits.count < count {
                let probe = MapView(bbox: BBox(minX: point.x - tolerance, minY: point.y - tolerance,
                                               maxX: point.x + tolerance, maxY: point.y + tolerance), width: 1, height: 1)
                let fetched = try await WMSFeatureFetch.fetch(r, view: probe, crs: p.crs, properties: nil, buffer: 0,
                                                              limit: 1000)
                let scale = view.scaleDenominator
                for f in WMSFeatureFetch.renderFeatures(fetched, crs: p.crs) where hits.count < count {
                    guard FeatureHitTest.hits(f.geometry, point, tolerance: tolerance),
                          FeatureHitTest.isDrawn(f, style: r.style, scale: scale) else { continue }
                    hits.append(FeatureInfoHit(layer: name, table: r.table, feature: f, fields: fetched.properties))
                }
            }
        }
        let body = FeatureInfoWriter.write(hits, format: format, crs: p.crs)
        return Response.text(body, contentType: format.contentType)
    }
}

extension WebMapService {
    /// The pixel of a raster layer under the queried point, as a feature whose attributes are the bands
    /// (`band_1`, …), read at the level the map would be drawn from (the pyramid's nodata where there is no tile).
    func pixelHit(_ layer: TileLayer, at point: Coord, _ p: WMSMapParameters) async throws -> FeatureInfoHit {
        let crs = p.crs.projName, bbox = p.bbox, width = p.width, height = p.height
        let values = try await NIOThreadPool.singleton.runIfActive { () throws -> [Int] in
            let native = try CoordinateTransformer.make(from: crs, to: layer.matrixSet.crs).transform(point)
            let res = try RasterRenderer.nativeResolution(bbox: bbox, crs: crs, width: width, height: height, layer: layer)
            return try RasterRenderer.pixelValues(layer, x: native.x, y: native.y, resolution: res)
        }
        let bands = values.indices.map { "band_\($0 + 1)" }
        var properties: [String: Value] = [:]
        for (b, v) in zip(bands, values) { properties[b] = .int(Int64(v)) }
        return FeatureInfoHit(layer: layer.name, table: layer.name,
                              feature: RenderFeature(id: "pixel", geometry: .point(point), properties: properties), fields: bands)
    }
}

struct FeatureInfoHit {
    var layer: String
    var table: String
    var feature: RenderFeature
    var fields: [String]
}

enum FeatureHitTest {
    static func hits(_ g: Geometry, _ p: Coord, tolerance: Double) -> Bool {
        switch g {
        case .polygon(let rings): return contains(rings, p) || near(rings, p, tolerance)
        case .multiPolygon(let ps): return ps.contains { contains($0, p) || near($0, p, tolerance) }
        case .lineString(let cs): return near([cs], p, tolerance)
        case .multiLineString(let ls): return near(ls, p, tolerance)
        case .point(let c): return hypot(c.x - p.x, c.y - p.y) <= tolerance
        case .multiPoint(let cs): return cs.contains { hypot($0.x - p.x, $0.y - p.y) <= tolerance }
        case .collection(let gs): return gs.contains { hits($0, p, tolerance: tolerance) }
        }
    }

    /// Even-odd point in polygon (holes excluded).
    static func contains(_ rings: [[Coord]], _ p: Coord) -> Bool {
        var inside = false
        for r in rings where r.count >= 3 {
            var j = r.count - 1
            for i in 0..<r.count {
                let a = r[i], b = r[j]
                if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
                j = i
            }
        }
        return inside
    }

    static func near(_ parts: [[Coord]], _ p: Coord, _ tol: Double) -> Bool {
        for cs in parts where cs.count >= 2 {
            for i in 1..<cs.count {
                let a = cs[i - 1], b = cs[i]
                let dx = b.x - a.x, dy = b.y - a.y
                let len2 = dx * dx + dy * dy
                let t = len2 > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0
                if hypot(a.x + t * dx - p.x, a.y + t * dy - p.y) <= tol { return true }
            }
        }
        return false
    }

    /// Whether a rule of the style draws the feature at this scale (GetFeatureInfo answers what is seen).
    static func isDrawn(_ f: RenderFeature, style: UserStyle, scale: Double) -> Bool {
        let ev = FilterEvaluator()
        for fts in style.featureTypeStyles {
            let active = fts.rules.filter { $0.applies(atScale: scale) && $0.symbolizers.contains { if case .text = $0 { false } else { true } } }
            if active.contains(where: { $0.isElse }) { return true }
            if active.contains(where: { r in r.filter.map { ev.evaluate($0, property: { f.properties[$0] }, geometry: f.geometry, id: f.id) } ?? true }) {
                return true
            }
        }
        return false
    }
}

#if canImport(Glibc)
import Glibc
#endif
