import CCairo
import Geo
import ImageCodec
import OGCCore
import Styling

/// Draws an SLD legend: one swatch per rule (its symbolizers on a small sample geometry) with the rule's
/// title beside it.
public struct LegendRenderer: Sendable {
    public var swatchWidth: Int
    public var swatchHeight: Int
    public var font: Font

    public init(swatchWidth: Int = 20, swatchHeight: Int = 20, font: Font = Font(family: "DejaVu Sans", size: 11)) {
        self.swatchWidth = swatchWidth; self.swatchHeight = swatchHeight; self.font = font
    }

    /// The legend of `rules` (each with the geometry type it styles). With `labels` false, only the swatches.
    public func render(_ rules: [(rule: Rule, geometryType: GeometryType)], labels: Bool = true,
                       background: RenderBackground = RenderBackground(transparent: true)) -> RasterImage? {
        let rowGap = 2
        let rows = max(1, rules.count)
        let titles = rules.map { $0.rule.title ?? $0.rule.name ?? "" }
        // Measure the titles on a scratch surface.
        var textWidth = 0.0
        if labels, let scratch = CairoCanvas(width: 1, height: 1) {
            select(font, scratch.cr)
            for t in titles {
                var te = cairo_text_extents_t()
                cairo_text_extents(scratch.cr, t, &te)
                textWidth = max(textWidth, te.x_advance)
            }
        }
        let width = swatchWidth + (labels && textWidth > 0 ? Int(textWidth.rounded(.up)) + 8 : 0) + 2
        let height = rows * (swatchHeight + rowGap)
        guard let canvas = CairoCanvas(width: width, height: height) else { return nil }
        canvas.clear(background)
        let images = ImageCache()
        let w = Double(swatchWidth), h = Double(swatchHeight)
        for (i, item) in rules.enumerated() {
            let y0 = Double(i * (swatchHeight + rowGap))
            // One map unit per pixel, y up from the swatch's bottom; the context is moved down to the row.
            let view = MapView(bbox: BBox(minX: 0, minY: 0, maxX: Double(width), maxY: h), width: width, height: swatchHeight)
            let sample = sampleGeometry(item.geometryType, w: w, h: h)
            cairo_save(canvas.cr)
            cairo_translate(canvas.cr, 0, y0)
            for s in item.rule.symbolizers {
                switch s {
                case .polygon(let p): canvas.drawPolygon(sample.polygon, p, view: view, images: images)
                case .line(let l): canvas.drawLine(sample.line, l, view: view, images: images)
                case .point(let p):
                    var g = p.graphic
                    g.size = min(g.size ?? 6, h - 2)
                    canvas.drawGraphic(g, x: w / 2, y: h / 2, images: images)
                case .text(let t):
                    select(t.font, canvas.cr)
                    cairo_set_font_size(canvas.cr, min(t.font.size, h - 4))
                    canvas.setSource(t.fill)
                    cairo_move_to(canvas.cr, 3, h - 5)
                    cairo_show_text(canvas.cr, "Aa")
                }
            }
            cairo_restore(canvas.cr)
            if labels {
                select(font, canvas.cr)
                cairo_set_source_rgb(canvas.cr, 0, 0, 0)
                cairo_move_to(canvas.cr, w + 6, y0 + h / 2 + font.size * 0.35)
                cairo_show_text(canvas.cr, titles[i])
            }
        }
        return canvas.image()
    }

    private func select(_ f: Font, _ cr: OpaquePointer) {
        cairo_select_font_face(cr, f.family, f.italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                               f.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, f.size)
    }

    /// Sample shapes in view units (x right, y up from the swatch bottom; the view maps them to pixels).
    private func sampleGeometry(_ t: GeometryType, w: Double, h: Double) -> (polygon: Geometry, line: Geometry) {
        let top = h - 1.5, bottom = 1.5
        let poly = Geometry.polygon([[Coord(1.5, bottom), Coord(w - 1.5, bottom), Coord(w - 1.5, top), Coord(1.5, top), Coord(1.5, bottom)]])
        let line: Geometry
        switch t {
        case .polygon, .multiPolygon: line = .lineString(poly.polygonRings[0])
        default: line = .lineString([Coord(1, bottom + 2), Coord(w * 0.4, top - 3), Coord(w * 0.6, bottom + 3), Coord(w - 1, top - 2)])
        }
        return (poly, line)
    }
}
