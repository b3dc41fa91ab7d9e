import CCairo
import Filters
import Geo
import ImageCodec
import OGCCore
import Styling

/// Draws styled features into an image. Synchronous and CPU-bound: call it on a `RenderPool` thread.
public struct MapRenderer: Sendable {
    public init() {}

    /// Draws `layers` (bottom first) on `view`, labels last over everything. The image is RGB when the background
    /// is opaque, RGBA when it is transparent.
    ///
    /// Labels of polygons and lines go on the part of the geometry inside the view, as MapServer,
    /// QGIS Server and GeoServer place them in a single image (a city zoomed into keeps its name). With `tiled`
    /// (GeoServer's `TILED=true`) they go on the whole geometry instead, so that adjacent tiles agree.
    ///
    /// `shouldStop` is asked between layers and runs of features: when it says so (the client left), drawing
    /// stops and nil is returned.
    public func render(_ layers: [RenderLayer], view: MapView, background: RenderBackground = RenderBackground(),
                       tiled: Bool = false, shouldStop: () -> Bool = { false }) -> RasterImage? {
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
            if shouldStop() { return nil }
            if let image = layer.image { canvas.paint(image) }
            for fts in layer.style.featureTypeStyles {
                let active = fts.rules.filter { $0.applies(atScale: scale) }
                if active.isEmpty { continue }
                let normal = active.indices.filter { !active[$0].isElse }, others = active.indices.filter { active[$0].isElse }
                // Consecutive features matching the same rules are drawn as one run: each symbolizer fills or
                // strokes the whole run's geometry at once (one Cairo path), in symbolizer order.
                var run = FeatureRun()
                for f in layer.features {
                    let props: (String) -> Value? = { f.properties[$0] }
                    var matched = normal.filter { i in
                        active[i].filter.map { evaluator.evaluate($0, property: props, geometry: f.geometry, id: f.id) } ?? true
                    }
                    if matched.isEmpty { matched = others }
                    if matched.isEmpty { continue }
                    if matched != run.rules || run.features.count >= FeatureRun.maxFeatures {
                        if shouldStop() { return nil }
                        draw(run, active, canvas: canvas, view: view, images: images)
                        run = FeatureRun(rules: matched)
                    }
                    run.features.append(f.geometry)
                    run.properties.append(f.properties)
                    run.clipped.append(clipped(f.geometry, to: clipBox, view: view, geos: geos))
                    var labelGeometry: Geometry?? = nil   // computed once, for the first text symbolizer
                    for i in matched {
                        for case .text(let t) in active[i].symbolizers {
                            if labelGeometry == nil { labelGeometry = tiled ? f.geometry : visiblePart(f.geometry, view: view, geos: geos) }
                            guard let g = labelGeometry!, case .text(let inPixels) = Symbolizer.text(t).inPixels(metresPerPixel: view.groundMetresPerPixel),
                                  let req = LabelRequest(feature: f, geometry: g, symbolizer: inPixels) else { continue }
                            labelRequests[li].append(req)
                        }
                    }
                }
                draw(run, active, canvas: canvas, view: view, images: images)
            }
        }
        if shouldStop() { return nil }
        for reqs in labelRequests.reversed() {
            for r in reqs { labels.place(r) }
        }
        return canvas.image()
    }

    /// Features that matched the same rules, one after the other.
    private struct FeatureRun {
        static let maxFeatures = 4096
        var rules: [Int] = []
        var features: [Geometry] = []
        /// Their attributes (for a rotation read from the feature).
        var properties: [[String: Value]] = []
        /// The geometries clipped to the view (nil: nothing of it shows).
        var clipped: [Geometry?] = []
    }

    private func draw(_ run: FeatureRun, _ rules: [Rule], canvas: CairoCanvas, view: MapView, images: ImageCache) {
        guard !run.features.isEmpty else { return }
        let shown = run.clipped.compactMap { $0 }
        let metresPerPixel = view.groundMetresPerPixel
        for i in run.rules {
            for s in rules[i].symbolizers {
                switch s.inPixels(metresPerPixel: metresPerPixel) {
                case .polygon(let p): canvas.drawPolygons(shown, p, view: view, images: images)
                case .line(let l): canvas.drawLines(shown, l, view: view, images: images)
                case .point(let p):
                    for (g, props) in zip(run.features, run.properties) {
                        canvas.drawPoints(g, p, rotation: p.graphic.rotation(of: props), view: view, images: images)
                    }
                case .text: break
                }
            }
        }
    }

    /// The part of a geometry inside the view, for its label (nil when none is); the geometry itself when it
    /// lies inside the view or is a point.
    private func visiblePart(_ g: Geometry, view: MapView, geos: GEOSContext) -> Geometry? {
        guard let gb = g.bbox else { return nil }
        if case .point = g { return g }
        if case .multiPoint = g { return g }
        let box = view.bbox
        if gb.minX >= box.minX && gb.maxX <= box.maxX && gb.minY >= box.minY && gb.maxY <= box.maxY { return g }
        guard gb.intersects(box) else { return nil }
        return (try? geos.clip(g, to: box)) ?? g
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
    /// Fills then strokes the polygons of `geometries` as one path. Rings are added outer ones anticlockwise and
    /// holes clockwise, filled with the non-zero rule: overlapping polygons fill their union, holes stay empty.
    func drawPolygons(_ geometries: [Geometry], _ p: PolygonSymbolizer, view: MapView, images: ImageCache) {
        cairo_new_path(cr)
        // An outline made of graphics (GraphicStroke) is drawn after the fill, instead of the plain stroke.
        let graphicOutline = p.stroke.flatMap { s in s.graphicStroke.map { (s, $0) } }
        let stroke = graphicOutline != nil ? nil : p.stroke.flatMap { $0.width > 0 && $0.colour.opacity > 0 ? $0 : nil }
        let thin = stroke.map(ThinStroke.applies) ?? false
        recorder = thin ? PathRecorder() : nil
        defer { recorder = nil }
        var any = false
        for g in geometries {
            for polygon in g.polygons where !polygon.isEmpty {
                for (i, ring) in polygon.enumerated() {
                    addRing(ring, view: view, anticlockwise: i == 0)
                }
                any = true
            }
        }
        guard any else { return }
        if let f = p.fill {
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING)
            if let gf = f.graphicFill, let pattern = graphicPattern(gf, margin: p.graphicMargin, images: images) {
                cairo_set_source(cr, pattern)
                cairo_fill_preserve(cr)
                cairo_pattern_destroy(pattern)
            } else if f.colour.opacity > 0 {
                setSource(f.colour)
                cairo_fill_preserve(cr)
            }
        }
        if let s = stroke {
            if thin, let rec = recorder {
                strokeThin(rec, s)
            } else {
                apply(s)
                cairo_stroke_preserve(cr)
            }
        }
        cairo_new_path(cr)
        if let (s, gs) = graphicOutline {
            for g in geometries {
                for ring in g.polygonRings where ring.count >= 2 {
                    drawGraphicStroke(gs, dashes: s.dashArray, dashOffset: s.dashOffset, along: ring.map(view.pixel), images: images)
                }
            }
        }
    }

    func drawPolygon(_ g: Geometry, _ p: PolygonSymbolizer, view: MapView, images: ImageCache) {
        drawPolygons([g], p, view: view, images: images)
    }

    /// Strokes the lines (and polygon outlines) of `geometries` as one path, moved sideways by the
    /// symbolizer's PerpendicularOffset; a GraphicStroke draws its graphic along them instead of a line.
    func drawLines(_ geometries: [Geometry], _ l: LineSymbolizer, view: MapView, images: ImageCache) {
        if let gs = l.stroke.graphicStroke {
            for g in geometries {
                for part in g.strokeParts where part.count >= 2 {
                    let pts = OffsetLine.offset(part.map(view.pixel), by: l.perpendicularOffset)
                    if l.graphicPlacement == .repeated {
                        drawGraphicStroke(gs, dashes: l.stroke.dashArray, dashOffset: l.stroke.dashOffset, along: pts,
                                          turning: l.rotatesGraphics, images: images)
                    } else {
                        drawGraphics(gs.graphic, l.graphicPlacement, along: pts, turning: l.rotatesGraphics, images: images)
                    }
                }
            }
            return
        }
        guard l.stroke.width > 0, l.stroke.colour.opacity > 0 else { return }
        cairo_new_path(cr)
        let thin = ThinStroke.applies(to: l.stroke)
        recorder = thin ? PathRecorder() : nil
        defer { recorder = nil }
        var any = false
        for g in geometries {
            let parts = g.strokeParts
            if parts.isEmpty { continue }
            if l.perpendicularOffset != 0 {
                for part in parts where part.count >= 2 {
                    addPixels(OffsetLine.offset(part.map(view.pixel), by: l.perpendicularOffset))
                }
            } else {
                addPath(parts, view: view, close: false)
            }
            any = true
        }
        guard any else { return }
        if thin, let rec = recorder {
            cairo_new_path(cr)
            strokeThin(rec, l.stroke)
        } else {
            apply(l.stroke)
            cairo_stroke(cr)
        }
    }

    func drawLine(_ g: Geometry, _ l: LineSymbolizer, view: MapView, images: ImageCache) { drawLines([g], l, view: view, images: images) }

    /// Draws the point symbol on each point of `g` (on its label point for lines and polygons), turned by
    /// `rotation` degrees clockwise.
    func drawPoints(_ g: Geometry, _ p: PointSymbolizer, rotation: Double? = nil, view: MapView, images: ImageCache) {
        var graphic = p.graphic
        if let rotation { graphic.rotation = rotation }
        let pts = g.points.isEmpty ? (LabelPoint.of(g).map { [$0] } ?? []) : g.points
        let margin = (p.graphic.size ?? 16) + 2
        for c in pts {
            let px = view.pixel(c)
            guard px.x > -margin, px.y > -margin, px.x < Double(width) + margin, px.y < Double(height) + margin else { continue }
            drawGraphic(graphic, x: px.x, y: px.y, images: images)
        }
    }
}

extension Graphic {
    /// The rotation for a feature: its rotation attribute when the graphic reads one and the feature has a
    /// number there, else the literal rotation.
    func rotation(of properties: [String: Value]) -> Double {
        guard let name = rotationProperty, let v = properties[name]?.doubleValue ?? Double(properties[name]?.description ?? ""),
              v.isFinite else { return rotation }
        return v
    }
}
