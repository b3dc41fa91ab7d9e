import CCairo
import CRSVG
import Foundation

/// SVG ExternalGraphics drawn by librsvg onto an image surface of the size asked, once per render and size.
/// QGIS's SVG markers carry `param(fill) #default`-style attribute values: the style's link gives the colours
/// (`?fill=%23ff0000&outline=…`), and the defaults apply for parameters it does not give. The SVG is parsed from
/// memory, without a base file, so librsvg loads nothing it refers to.
enum SVGGraphic {
    /// Larger files are not drawn.
    static let maxBytes = 4 << 20
    /// The largest side of a drawn SVG, in pixels.
    static let maxSide = 2048.0

    /// An ARGB32 surface of the SVG at `height` pixels (nil: its own size), or nil when it cannot be drawn.
    /// The caller destroys it.
    static func surface(path: String, parameters: [String: String], height: Double?) -> OpaquePointer? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= maxBytes else { return nil }
        let bytes = Array(substituting(parameters, in: String(decoding: data, as: UTF8.self)).utf8)
        guard let handle = bytes.withUnsafeBufferPointer({ rsvg_handle_new_from_data($0.baseAddress, gsize($0.count), nil) }) else { return nil }
        defer { crsvg_unref(handle) }
        var w = 0.0, h = 0.0
        if rsvg_handle_get_intrinsic_size_in_pixels(handle, &w, &h) == 0 || w <= 0 || h <= 0 {
            // Only a viewBox (or percentages): QGIS draws such markers square.
            w = height ?? 16; h = w
        }
        let targetHeight = min(maxSide, max(1, height ?? h))
        let scale = targetHeight / h
        let pw = Int(min(maxSide, max(1, (w * scale).rounded(.up)))), ph = Int(targetHeight.rounded(.up))
        guard let s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(pw), Int32(ph)) else { return nil }
        guard cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, let cr = cairo_create(s) else { cairo_surface_destroy(s); return nil }
        defer { cairo_destroy(cr) }
        var viewport = RsvgRectangle(x: 0, y: 0, width: w * scale, height: targetHeight)
        guard rsvg_handle_render_document(handle, cr, &viewport, nil) != 0 else { cairo_surface_destroy(s); return nil }
        cairo_surface_flush(s)
        return s
    }

    /// The SVG text with each `param(name)` value (and the default that follows it) replaced by the given
    /// parameter, or by that default when the parameter is not given.
    static func substituting(_ parameters: [String: String], in svg: String) -> String {
        guard svg.contains("param(") else { return svg }
        var out = ""
        var rest = Substring(svg)
        while let open = rest.range(of: "param(") {
            out += rest[..<open.lowerBound]
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: ")") else { break }
            let name = String(rest[..<close]).trimmingCharacters(in: .whitespaces)
            rest = rest[rest.index(after: close)...]
            // The default runs to the end of the attribute value or style declaration.
            let end = rest.firstIndex(where: { $0 == "\"" || $0 == "'" || $0 == ";" }) ?? rest.endIndex
            let fallback = rest[..<end].trimmingCharacters(in: .whitespaces)
            rest = rest[end...]
            out += parameters[name] ?? fallback
        }
        return out + rest
    }
}
