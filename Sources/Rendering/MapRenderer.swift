import CCairo
import Filters
import Geo
import ImageCodec
import OGCCore
import Styling

/// Draws styled features into an image. Synchronous and CPU-bound: call it on a `RenderPool` thread.
public struct MapRenderer: Sendable {
    public init() {}

    /// Draws `layers` (bottom first) on `view`, labels last over everything.
    public func render(_ layers: [RenderLayer], view: MapView, background: RenderBackground = RenderBackground()) -> RasterImage? {
        guard let canvas = CairoCanvas(width: view.width, height: view.height) else { return nil }
        canvas.clear(background)
        let images = ImageCache()
        var labels = LabelPlacer(canvas: canvas, view: view)
        let scale = view.scaleDenominator
        let evaluator = FilterEvaluator()
        // Geometries much larger than the view are clipped to it first (Cairo's fixed-point coordinates
        // overflow far outside the surface, and drawing invisible vertices costs time).
        let clipBox = view.bufferedBBox(pixels: 64)
        let geos = GEOSContext()

        // Labels of the top layer win collisions: they are collected top-down, placed after drawing.
        var labelRequests: [[LabelRequest]] = Array(repeating: [], count: layers.count)
        for (li, layer) in layers.enumerated() {
            for fts in layer.style.featureTypeStyles {
                let active = fts.rules.filter { $0.applies(atScale: scale) }
                if active.isEmpty { continue }
                let normal = active.filter { !$0.isElse }, others = active.filter(\.isElse)
                for f in layer.features {
                    let props: (String) -> Value? = { f.properties[$0] }
                    var matched = normal.filter { r in
                        r.filter.map { evaluator.evaluate($0, property: props, geometry: f.geometry, id: f.id) } ?? true
                    }
                    if matched.isEmpty { matched = others }
                    if matched.isEmpty { continue }
                    let drawn = clipped(f.geometry, to: clipBox, view: view, geos: geos)
                    for r in matched {
                        for s in r.symbolizers {
                            switch s {
                            case .polygon(let p): if let g = drawn { canvas.drawPolygon(g, p, view: view, images: images) }
                            case .line(let l): if let g = drawn { canvas.drawLine(g, l, view: view) }
                            case .point(let p): canvas.drawPoints(f.geometry, p, view: view, images: images)
                            case .text(let t):
                                if let req = LabelRequest(feature: f, symbolizer: t) { labelRequests[li].append(req) }
                            }
                        }
                    }
                }
            }
        }
        for reqs in labelRequests.reversed() {
            for r in reqs { labels.place(r) }
        }
        return canvas.image()
    }

    private func clipped(_ g: Geometry, to box: BBox, view: MapView, geos: GEOSContext) -> Geometry? {
        guard let gb = g.bbox else { return nil }
        if !gb.intersects(box) { return nil }
        let big = gb.width > box.width * 4 || gb.height > box.height * 4
        if big, case .point = g {} else if big, let c = try? geos.clip(g, to: box) { return c }
        return g
    }
}

extension CairoCanvas {
    func drawPolygon(_ g: Geometry, _ p: PolygonSymbolizer, view: MapView, images: ImageCache) {
        let rings = g.polygonRings
        guard !rings.isEmpty else { return }
        cairo_new_path(cr)
        addPath(rings, view: view, close: true)
        if let f = p.fill {
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD)
            if let gf = f.graphicFill, let pattern = graphicPattern(gf, images: images) {
                cairo_set_source(cr, pattern)
                cairo_fill_preserve(cr)
                cairo_pattern_destroy(pattern)
            } else if f.colour.opacity > 0 {
                setSource(f.colour)
                cairo_fill_preserve(cr)
            }
        }
        if let s = p.stroke, s.width > 0, s.colour.opacity > 0 {
            apply(s)
            cairo_stroke_preserve(cr)
        }
        cairo_new_path(cr)
    }

    func drawLine(_ g: Geometry, _ l: LineSymbolizer, view: MapView) {
        let parts = g.strokeParts
        guard !parts.isEmpty, l.stroke.width > 0, l.stroke.colour.opacity > 0 else { return }
        cairo_new_path(cr)
        addPath(parts, view: view, close: false)
        apply(l.stroke)
        cairo_stroke(cr)
    }

    func drawPoints(_ g: Geometry, _ p: PointSymbolizer, view: MapView, images: ImageCache) {
        let pts = g.points.isEmpty ? (LabelPoint.of(g).map { [$0] } ?? []) : g.points
        let margin = (p.graphic.size ?? 16) + 2
        for c in pts {
            let px = view.pixel(c)
            guard px.x > -margin, px.y > -margin, px.x < Double(width) + margin, px.y < Double(height) + margin else { continue }
            drawGraphic(p.graphic, x: px.x, y: px.y, images: images)
        }
    }
}
