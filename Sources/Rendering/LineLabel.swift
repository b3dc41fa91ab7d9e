import CCairo
import Foundation
import Geo
import Styling

/// Labels that follow their line glyph by glyph (GeoServer's `followLine=true`): the text is centred on the
/// middle of the line, each glyph set on the line where it falls and turned to the line's direction there, read
/// left to right. As GeoServer does, a label is dropped when it is longer than the line, or when two neighbouring
/// glyphs would turn by more than `maxAngleDelta` degrees (22.5 unless the style says).
extension LabelPlacer {
    static let defaultMaxAngleDelta = 22.5

    mutating func placeAlong(_ text: String, path: [Coord], offset: Double, symbolizer t: TextSymbolizer,
                             font fe: cairo_font_extents_t) {
        let cr = canvas.cr
        let glyphs = text.map { String($0) }
        let advances: [Double] = glyphs.map { g in
            var te = cairo_text_extents_t()
            cairo_text_extents(cr, g, &te)
            return te.x_advance
        }
        let width = advances.reduce(0, +)
        var line = PixelPath(path.map(view.pixel))
        guard line.length >= width, width > 0 else { return }
        let start = (line.length - width) / 2
        // Upright: a label whose ends run right to left is read along the line backwards.
        if line.point(at: start + width).x < line.point(at: start).x { line = PixelPath(line.points.reversed()) }

        let maxDelta = (t.vendorOptions["maxAngleDelta"].flatMap { Double($0) } ?? Self.defaultMaxAngleDelta) * .pi / 180
        // Glyph origins (on the baseline, before the glyph) and angles. The text's middle height sits on the line,
        // moved by the offset (positive: above it, as straight line labels).
        let baseline = (fe.ascent - fe.descent) / 2 - offset
        var placedGlyphs: [(x: Double, y: Double, angle: Double)] = []
        var along = start
        for adv in advances {
            let mid = along + adv / 2
            let p = line.point(at: mid), angle = line.angle(at: mid)
            if let prev = placedGlyphs.last {
                var d = abs(angle - prev.angle)
                if d > .pi { d = 2 * .pi - d }
                if d > maxDelta { return }
            }
            let c = cos(angle), s = sin(angle)
            placedGlyphs.append((p.x - c * adv / 2 - s * baseline, p.y - s * adv / 2 + c * baseline, angle))
            along += adv
        }
        let pad = (t.halo?.radius ?? 0) + 1
        let boxes = zip(placedGlyphs, advances).map { g, adv in
            rotatedBox(left: -pad, top: -fe.ascent - pad, width: adv + 2 * pad, height: fe.ascent + fe.descent + 2 * pad,
                       angle: g.angle, at: (g.x, g.y))
        }
        guard take(boxes) else { return }
        if boxes.allSatisfy({ $0.x1 < 0 || $0.y1 < 0 || $0.x0 > Double(canvas.width) || $0.y0 > Double(canvas.height) }) { return }

        cairo_new_path(cr)
        for (g, glyph) in zip(placedGlyphs, glyphs) {
            cairo_save(cr)
            cairo_translate(cr, g.x, g.y)
            cairo_rotate(cr, g.angle)
            cairo_move_to(cr, 0, 0)
            cairo_text_path(cr, glyph)
            cairo_restore(cr)   // the path keeps the glyph where it was added
        }
        paintText(t)
    }
}
