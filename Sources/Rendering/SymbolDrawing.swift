import CCairo
import Foundation
import Styling

/// Point symbols: well-known marks, PNG and SVG graphics from the styles directory, and graphic fills.
extension CairoCanvas {
    /// Draws a graphic centred (per its anchor) on pixel (x, y).
    func drawGraphic(_ g: Graphic, x: Double, y: Double, images: ImageCache) {
        let size = g.size ?? 6
        cairo_save(cr)
        cairo_translate(cr, x + g.displacement.x, y - g.displacement.y)
        if g.rotation != 0 { cairo_rotate(cr, g.rotation * .pi / 180) }
        if let m = g.mark {
            cairo_translate(cr, (0.5 - g.anchor.x) * size, (g.anchor.y - 0.5) * size)
            drawMark(m, size: size, opacity: g.opacity)
        } else if let e = g.external, let img = images.surface(e, height: g.size) {
            let w = Double(cairo_image_surface_get_width(img)), h = Double(cairo_image_surface_get_height(img))
            let s = g.size.map { $0 / h } ?? 1
            cairo_scale(cr, s, s)
            cairo_set_source_surface(cr, img, -w * g.anchor.x, -h * (1 - g.anchor.y))
            cairo_paint_with_alpha(cr, g.opacity)
        }
        cairo_restore(cr)
    }

    /// A mark of `size` pixels centred on the origin.
    func drawMark(_ m: Mark, size: Double, opacity: Double) {
        let r = size / 2
        cairo_new_path(cr)
        if let glyph = m.glyph {
            addGlyph(glyph, size: size)
            paintMark(m, opacity: opacity)
            return
        }
        switch m.shape {
        case .circle:
            cairo_arc(cr, 0, 0, r, 0, 2 * .pi)
        case .square:
            cairo_rectangle(cr, -r, -r, size, size)
        case .triangle:
            let h = size * 0.866
            cairo_move_to(cr, 0, -h / 2 - size * 0.05)
            cairo_line_to(cr, r, h / 2 - size * 0.05)
            cairo_line_to(cr, -r, h / 2 - size * 0.05)
            cairo_close_path(cr)
        case .star:
            for i in 0..<10 {
                let a = -Double.pi / 2 + Double(i) * .pi / 5
                let rr = i % 2 == 0 ? r : r * 0.382
                if i == 0 { cairo_move_to(cr, rr * cos(a), rr * sin(a)) } else { cairo_line_to(cr, rr * cos(a), rr * sin(a)) }
            }
            cairo_close_path(cr)
        case .horline, .vertline, .slash, .backslash, .plus, .times:
            // Lines only, stroked below: GeoServer's shape:// marks.
            for (x0, y0, x1, y1) in m.shape.hatchLines(r) { cairo_move_to(cr, x0, y0); cairo_line_to(cr, x1, y1) }
            if let s = m.stroke {
                apply(s)
                setSource(s.colour, opacity: opacity)
                cairo_stroke(cr)
            }
            cairo_new_path(cr)
            return
        case .dot:
            cairo_arc(cr, 0, 0, max(0.5, size / 8), 0, 2 * .pi)
        case .diamond, .pentagon, .hexagon, .octagon:
            // Regular polygons with a corner on top (QGIS's shapes), the octagon with a flat top.
            let sides = m.shape == .diamond ? 4 : m.shape == .pentagon ? 5 : m.shape == .hexagon ? 6 : 8
            let turn = m.shape == .octagon ? Double.pi / 8 : 0
            for i in 0..<sides {
                let a = -Double.pi / 2 + turn + Double(i) * 2 * .pi / Double(sides)
                if i == 0 { cairo_move_to(cr, r * cos(a), r * sin(a)) } else { cairo_line_to(cr, r * cos(a), r * sin(a)) }
            }
            cairo_close_path(cr)
        case .cross, .x:
            if m.shape == .x { cairo_rotate(cr, .pi / 4) }
            let t = size * 0.1
            let pts: [(Double, Double)] = [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r), (-t, r), (-t, t), (-r, t), (-r, -t), (-t, -t)]
            for (i, p) in pts.enumerated() { if i == 0 { cairo_move_to(cr, p.0, p.1) } else { cairo_line_to(cr, p.0, p.1) } }
            cairo_close_path(cr)
        }
        paintMark(m, opacity: opacity)
    }

    /// Fills then strokes the mark's path.
    private func paintMark(_ m: Mark, opacity: Double) {
        if let f = m.fill {
            setSource(f.colour, opacity: opacity)
            if m.stroke != nil { cairo_fill_preserve(cr) } else { cairo_fill(cr) }
        }
        if let s = m.stroke {
            apply(s)
            setSource(s.colour, opacity: opacity)
            cairo_stroke(cr)
        }
        cairo_new_path(cr)
    }

    /// The outline of a font's character, `size` pixels high (the font size), its ink centred on the origin.
    private func addGlyph(_ g: FontGlyph, size: Double) {
        cairo_select_font_face(cr, g.family, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
        var te = cairo_text_extents_t()
        cairo_text_extents(cr, g.character, &te)
        cairo_move_to(cr, -te.x_bearing - te.width / 2, -te.y_bearing - te.height / 2)
        cairo_text_path(cr, g.character)
    }

    /// A repeating pattern of the graphic, for GraphicFill: one graphic per tile of its size plus `margin`.
    /// Hatch marks (`shape://horline`, …) fill their tile edge to edge so lines run on across tiles, and their
    /// Rotation turns the whole pattern (QGIS writes a line pattern's angle so), not each tile. The caller
    /// destroys the pattern.
    func graphicPattern(_ g: Graphic, margin: GraphicMargin = GraphicMargin(), images: ImageCache) -> OpaquePointer? {
        let size = graphicSize(g, markDefault: 8, images: images)
        let tileW = Int(max(2, min(512, (size + margin.left + margin.right).rounded()))),
            tileH = Int(max(2, min(512, (size + margin.top + margin.bottom).rounded())))
        guard let sub = CairoCanvas(width: tileW, height: tileH) else { return nil }
        sub.clear(RenderBackground(transparent: true))
        let hatch = g.mark.map { $0.shape.isHatch } ?? false
        var centred = g
        centred.displacement = (0, 0)
        if hatch {
            centred.rotation = 0
            centred.size = Double(tileH)
            // The lines of the tiles around, so that wide strokes and diagonals are whole at the tile's edges.
            for dx in [-1.0, 0, 1] {
                for dy in [-1.0, 0, 1] {
                    sub.drawGraphic(centred, x: Double(tileW) * (0.5 + dx), y: Double(tileH) * (0.5 + dy), images: images)
                }
            }
        } else {
            sub.drawGraphic(centred, x: margin.left + size / 2, y: margin.top + size / 2, images: images)
        }
        cairo_surface_flush(sub.surface)
        guard let pattern = cairo_pattern_create_for_surface(sub.surface) else { return nil }
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_REPEAT)
        if hatch && g.rotation != 0 {
            // The pattern matrix maps the canvas to the tile: turning the tiles clockwise is turning back.
            var m = cairo_matrix_t()
            cairo_matrix_init_rotate(&m, -g.rotation * .pi / 180)
            cairo_pattern_set_matrix(pattern, &m)
        }
        return pattern   // the pattern keeps its own reference to the surface
    }
}

extension MarkShape {
    /// The lines of a hatch mark of half-size `r` centred on the origin (y down): a diagonal runs corner to
    /// corner, so the tiles' diagonals join into one line.
    func hatchLines(_ r: Double) -> [(Double, Double, Double, Double)] {
        switch self {
        case .horline: [(-r, 0, r, 0)]
        case .vertline: [(0, -r, 0, r)]
        case .slash: [(-r, r, r, -r)]
        case .backslash: [(-r, -r, r, r)]
        case .plus: [(-r, 0, r, 0), (0, -r, 0, r)]
        case .times: [(-r, r, r, -r), (-r, -r, r, r)]
        default: []
        }
    }
}

/// PNG and SVG images of the styles directory, loaded once per render (SVGs once per size drawn).
final class ImageCache {
    private var surfaces: [String: OpaquePointer?] = [:]

    /// The image of `e`: a PNG at its own size, an SVG drawn `height` pixels high (nil: its own size).
    func surface(_ e: ExternalGraphic, height: Double?) -> OpaquePointer? {
        let key = e.isSVG ? "\(e.path)?\(e.parameters.sorted { $0.key < $1.key })@\(height.map { String($0.rounded()) } ?? "")" : e.path
        if let hit = surfaces[key] { return hit }
        var s: OpaquePointer? = nil
        if e.isSVG {
            s = SVGGraphic.surface(path: e.path, parameters: e.parameters, height: height.map { $0.rounded() })
        } else if FileManager.default.isReadableFile(atPath: e.path), let img = cairo_image_surface_create_from_png(e.path) {
            if cairo_surface_status(img) == CAIRO_STATUS_SUCCESS { s = img } else { cairo_surface_destroy(img) }
        }
        surfaces[key] = s
        return s
    }

    deinit {
        for case let s? in surfaces.values { cairo_surface_destroy(s) }
    }
}
