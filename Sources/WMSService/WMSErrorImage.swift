import CCairo
import Hummingbird
import ImageCodec
import OGCCore
import Rendering
import ServiceKit
import Styling

extension WebMapService {
    /// EXCEPTIONS=INIMAGE / BLANK for GetMap: the error as an image of the requested size and format (status
    /// 200, as clients drawing tiles expect); the XML report otherwise or when the image itself cannot be made.
    public func errorResponse(_ error: OGCError, for request: OGCRequest, _ context: ServiceContext) -> Response {
        let kvp = request.kvp
        let version = WMSVersion.of(kvp)
        let flavour = version.flavour
        let mode = (kvp.nonEmpty("EXCEPTIONS") ?? "").lowercased()
        let isGetMap = ["getmap", "map"].contains((kvp.nonEmpty("REQUEST") ?? "").lowercased())
        let inImage = mode.hasSuffix("inimage"), blank = mode.hasSuffix("blank")
        guard isGetMap, inImage || blank, let image = errorImage(error, kvp: kvp, context: context, drawText: inImage) else {
            return Response.ogcError(error, flavour: flavour)
        }
        return image
    }

    private func errorImage(_ error: OGCError, kvp: KVP, context: ServiceContext, drawText: Bool) -> Response? {
        let l = limits(context)
        guard let w = kvp.nonEmpty("WIDTH").flatMap({ Int($0) }), let h = kvp.nonEmpty("HEIGHT").flatMap({ Int($0) }),
              w > 0, h > 0, w <= l.maxWidth, h <= l.maxHeight, w * h <= l.maxPixels else { return nil }
        let format = kvp.nonEmpty("FORMAT").flatMap { ImageFormat.parse($0) }.flatMap { ImageEncoder.availableFormats.contains($0) ? $0 : nil } ?? .png
        let transparent = (kvp.nonEmpty("TRANSPARENT") ?? "").uppercased() == "TRUE" && format != .jpeg
        let bg = kvp.nonEmpty("BGCOLOR").flatMap { Colour.parse($0) } ?? .white
        guard let s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(w), Int32(h)) else { return nil }
        defer { cairo_surface_destroy(s) }
        guard let cr = cairo_create(s) else { return nil }
        if transparent { cairo_set_source_rgba(cr, 0, 0, 0, 0) } else {
            cairo_set_source_rgb(cr, Double(bg.r) / 255, Double(bg.g) / 255, Double(bg.b) / 255)
        }
        cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE)
        cairo_paint(cr)
        cairo_set_operator(cr, CAIRO_OPERATOR_OVER)
        if drawText {
            cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
            cairo_set_font_size(cr, 11)
            cairo_set_source_rgb(cr, 0.75, 0, 0)
            // Wrap the message on words to the image width.
            var lines: [String] = [], line = ""
            for word in "\(error.code.rawValue): \(error.message)".split(separator: " ") {
                let candidate = line.isEmpty ? String(word) : line + " " + word
                var te = cairo_text_extents_t()
                cairo_text_extents(cr, candidate, &te)
                if te.x_advance > Double(w - 8) && !line.isEmpty { lines.append(line); line = String(word) } else { line = candidate }
            }
            if !line.isEmpty { lines.append(line) }
            for (i, text) in lines.enumerated() {
                cairo_move_to(cr, 4, 14 + Double(i) * 14)
                cairo_show_text(cr, text)
            }
        }
        cairo_destroy(cr)
        guard let image = RasterImage(cairoSurface: s),
              let bytes = try? ImageEncoder.encode(image, as: format, options: .init(background: (bg.r, bg.g, bg.b))) else { return nil }
        return Response.bytes(bytes, contentType: format.mimeType)
    }
}
