import Filters
import Geo
import OGCCore
import Rendering
import Styling
import VectorData

/// Features of one relation fetched for a map, still as the source returned them (WKB in the native CRS).
struct FetchedLayer: Sendable {
    var relation: ResolvedRelation
    var properties: [String]
    var features: [Feature]
}

enum WMSFeatureFetch {
    /// The box of `view` (grown by `buffer` pixels) in the relation's native CRS.
    static func nativeBBox(_ view: MapView, crs: CRSName, srid: Int, buffer: Double) throws -> BBox {
        let box = view.bufferedBBox(pixels: buffer)
        if crs.epsgCode == srid || (crs.isCRS84 && srid == 4326) { return box }
        let t = try CoordinateTransformer.make(from: crs.projName, to: "EPSG:\(srid)")
        return try t.transform(box)
    }

    static func fetch(_ r: ResolvedRelation, view: MapView, crs: CRSName, properties wanted: [String]?, buffer: Double,
                      limit: Int) async throws -> FetchedLayer {
        let fieldNames = Set(r.schema.fields.map(\.name))
        let props = (wanted ?? r.schema.fields.map(\.name)).filter { fieldNames.contains($0) }
        let native: BBox
        do { native = try nativeBBox(view, crs: crs, srid: r.schema.srid, buffer: buffer) } catch {
            // The view lies outside where the CRSs convert: nothing of this relation shows.
            return FetchedLayer(relation: r, properties: props, features: [])
        }
        if let extent = r.schema.extent, !extent.intersects(native) {
            return FetchedLayer(relation: r, properties: props, features: [])
        }
        let nativePixel = max(native.width / (Double(view.width) + 2 * buffer), native.height / (Double(view.height) + 2 * buffer))
        let q = FeatureQuery(table: r.table, properties: props, bbox: native, limit: limit,
                             simplifyTolerance: nativePixel / 2, geometry: .wkb, totalOrder: false)
        let features = try await r.source.collect(q)
        return FetchedLayer(relation: r, properties: props, features: features)
    }

    /// Decodes and reprojects fetched features into render features (on a render thread).
    static func renderFeatures(_ l: FetchedLayer, crs: CRSName) -> [RenderFeature] {
        let transformer: CoordinateTransformer?
        if crs.epsgCode == l.relation.schema.srid || (crs.isCRS84 && l.relation.schema.srid == 4326) {
            transformer = nil
        } else {
            transformer = try? CoordinateTransformer.make(from: "EPSG:\(l.relation.schema.srid)", to: crs.projName)
        }
        var out: [RenderFeature] = []
        out.reserveCapacity(l.features.count)
        for f in l.features {
            guard let wkb = f.geometry, var g = try? WKB.decode(wkb) else { continue }
            if let t = transformer { guard let p = try? t.transform(g) else { continue }; g = p }
            var props: [String: Value] = [:]
            for (i, name) in l.properties.enumerated() where i < f.values.count { props[name] = f.values[i] }
            out.append(RenderFeature(id: f.id, geometry: g, properties: props))
        }
        return out
    }
}
