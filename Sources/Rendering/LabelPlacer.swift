import CCairo
import Filters
import Geo
import OGCCore
import Styling

/// A label to place: the text, where (from the geometry given: the feature's visible part, or its whole
/// geometry for tiles), and how.
struct LabelRequest {
    var text: String
    var anchor: Coord
    /// The direction of the line at the anchor (LinePlacement), in map units.
    var direction: (dx: Double, dy: Double)?
    /// The line the text follows glyph by glyph (GeoServer's `followLine`), in map units.
    var path: [Coord]?
    var symbolizer: TextSymbolizer

    init?(feature f: RenderFeature, geometry: Geometry, symbolizer t: TextSymbolizer) {
        var s = ""
        for part in t.label {
            switch part {
            case .literal(let l): s += l
            case .property(let p): s += f.properties[p]?.description ?? ""
            }
        }
        s = s.trimmingSpaces
        guard !s.isEmpty, let a = LabelPoint.of(geometry) else { return nil }
        text = s; anchor = a; symbolizer = t
        if case .line = t.placement, let longest = geometry.lineParts.max(by: { LabelPoint.length($0) < LabelPoint.length($1) }) {
            direction = LabelRequest.direction(of: longest, near: a)
            if t.vendorOptions["followLine"]?.lowercased() == "true" { path = longest }
        }
    }

    static func direction(of cs: [Coord], near a: Coord) -> (dx: Double, dy: Double)? {
        guard cs.count >= 2 else { return nil }
        var best = 1, bestD = Double.infinity
        for i in 1..<cs.count {
            let mx = (cs[i].x + cs[i - 1].x) / 2, my = (cs[i].y + cs[i - 1].y) / 2
            let d = hypot(mx - a.x, my - a.y)
            if d < bestD { bestD = d; best = i }
        }
        return (cs[best].x - cs[best - 1].x, cs[best].y - cs[best - 1].y)
    }
}

/// Places labels without overlaps: a label whose box meets an already placed one is skipped. Labels are
/// tried in a fixed order, and those falling off the image still take their space, so two adjacent tiles
/// that fetched the same features around their shared edge make the same choices.
struct LabelPlacer {
    let canvas: CairoCanvas
    let view: MapView
    private var placed: [(x0: Double, y0: Double, x1: Double, y1: Double)] = []

    init(canvas: CairoCanvas, view: MapView) { self.canvas = canvas; self.view = view }

    mutating func place(_ r: LabelRequest) {
        let cr = canvas.cr
        let t = r.symbolizer
        cairo_select_font_face(cr, t.font.family, t.font.italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                               t.font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, t.font.size)
        var te = cairo_text_extents_t()
        cairo_text_extents(cr, r.text, &te)
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        let w = te.x_advance, h = fe.ascent + fe.descent
        if let path = r.path, case .line(let offset) = t.placement {
            placeAlong(r.text, path: path, offset: offset, symbolizer: t, font: fe)
            return
        }
        let p = view.pixel(r.anchor)

        // Box position relative to the anchor pixel, before rotation (y down).
        var left: Double, top: Double, angle = 0.0
        switch t.placement {
        case .point(let ax, let ay, let dx, let dy, let rot):
            left = -ax * w + dx
            top = -(1 - ay) * h - dy
            angle = rot * .pi / 180
        case .line(let offset):
            left = -w / 2
            top = -h / 2 - offset
            if let d = r.direction {
                // Pixel space has y down; keep the text upright.
                var a = atan2(-d.dy / view.resolutionY, d.dx / view.resolutionX)
                if a > .pi / 2 { a -= .pi } else if a < -.pi / 2 { a += .pi }
                angle = a
            }
        }
        let pad = (t.halo?.radius ?? 0) + 2
        let box = rotatedBox(left: left - pad, top: top - pad, width: w + 2 * pad, height: h + 2 * pad, angle: angle, at: p)
        if placed.contains(where: { $0.x0 < box.x1 && box.x0 < $0.x1 && $0.y0 < box.y1 && box.y0 < $0.y1 }) { return }
        placed.append(box)
        if box.x1 < 0 || box.y1 < 0 || box.x0 > Double(canvas.width) || box.y0 > Double(canvas.height) { return }

        cairo_save(cr)
        cairo_translate(cr, p.x, p.y)
        if angle != 0 { cairo_rotate(cr, angle) }
        cairo_new_path(cr)
        cairo_move_to(cr, left, top + fe.ascent)
        cairo_text_path(cr, r.text)
        paintText(t)
        cairo_restore(cr)
    }

    /// Paints the text path: its halo, then its fill.
    func paintText(_ t: TextSymbolizer) {
        let cr = canvas.cr
        if let halo = t.halo, halo.radius > 0 {
            canvas.setSource(halo.fill)
            cairo_set_line_width(cr, halo.radius * 2)
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
            cairo_set_dash(cr, nil, 0, 0)
            cairo_stroke_preserve(cr)
        }
        canvas.setSource(t.fill)
        cairo_fill(cr)
    }

    /// Whether a box meets a placed label; if not, it is taken.
    mutating func take(_ boxes: [(x0: Double, y0: Double, x1: Double, y1: Double)]) -> Bool {
        for box in boxes where placed.contains(where: { $0.x0 < box.x1 && box.x0 < $0.x1 && $0.y0 < box.y1 && box.y0 < $0.y1 }) {
            return false
        }
        placed += boxes
        return true
    }

    func rotatedBox(left: Double, top: Double, width: Double, height: Double, angle: Double,
                            at p: (x: Double, y: Double)) -> (x0: Double, y0: Double, x1: Double, y1: Double) {
        let corners = [(left, top), (left + width, top), (left, top + height), (left + width, top + height)]
        let c = cos(angle), s = sin(angle)
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for (x, y) in corners {
            let rx = p.x + x * c - y * s, ry = p.y + x * s + y * c
            x0 = min(x0, rx); y0 = min(y0, ry); x1 = max(x1, rx); y1 = max(y1, ry)
        }
        return (x0, y0, x1, y1)
    }
}

#if canImport(Glibc)
import Glibc
#endif
