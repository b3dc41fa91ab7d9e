import CCairo
import Foundation
import Styling

/// Point symbols: well-known marks, PNG graphics from the styles directory, and graphic fills.
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
        } else if let e = g.external, let img = images.surface(e.path) {
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
        case .cross, .x:
            if m.shape == .x { cairo_rotate(cr, .pi / 4) }
            let t = size * 0.1
            let pts: [(Double, Double)] = [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t), (t, r), (-t, r), (-t, t), (-r, t), (-r, -t), (-t, -t)]
            for (i, p) in pts.enumerated() { if i == 0 { cairo_move_to(cr, p.0, p.1) } else { cairo_line_to(cr, p.0, p.1) } }
            cairo_close_path(cr)
        }
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

    /// A repeating pattern of the graphic, for GraphicFill. The caller destroys it.
    func graphicPattern(_ g: Graphic, images: ImageCache) -> OpaquePointer? {
        var size = g.size ?? 8
        if g.mark == nil, g.size == nil, let e = g.external, let img = images.surface(e.path) {
            size = Double(cairo_image_surface_get_height(img))
        }
        let tile = Int(max(2, min(256, size.rounded(.up))))
        guard let sub = CairoCanvas(width: tile, height: tile) else { return nil }
        sub.clear(RenderBackground(transparent: true))
        var centred = g
        centred.displacement = (0, 0)
        sub.drawGraphic(centred, x: Double(tile) / 2, y: Double(tile) / 2, images: images)
        cairo_surface_flush(sub.surface)
        guard let pattern = cairo_pattern_create_for_surface(sub.surface) else { return nil }
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_REPEAT)
        return pattern   // the pattern keeps its own reference to the surface
    }
}

/// PNG images of the styles directory, loaded once per render.
final class ImageCache {
    private var surfaces: [String: OpaquePointer?] = [:]

    func surface(_ path: String) -> OpaquePointer? {
        if let hit = surfaces[path] { return hit }
        var s: OpaquePointer? = nil
        if FileManager.default.isReadableFile(atPath: path), let img = cairo_image_surface_create_from_png(path),
           cairo_surface_status(img) == CAIRO_STATUS_SUCCESS {
            s = img
        }
        surfaces[path] = s
        return s
    }

    deinit {
        for case let s? in surfaces.values { cairo_surface_destroy(s) }
    }
}
