import CCairo
import Geo
import ImageCodec
import Styling

/// An antialiased Cairo ARGB32 image surface and its drawing context. Used by one thread at a time.
final class CairoCanvas {
    let surface: OpaquePointer
    let cr: OpaquePointer
    let width: Int
    let height: Int
    /// true once cleared to an opaque background: every pixel stays opaque, the image needs no alpha channel.
    private(set) var opaque = false
    /// When set, `addPath`/`addRing` also record the pixel points they add (for `strokeThin`).
    var recorder: PathRecorder?
    private var mask: OpaquePointer?

    init?(width: Int, height: Int) {
        guard width > 0, height > 0,
              let s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)),
              cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else { return nil }
        guard let c = cairo_create(s) else { cairo_surface_destroy(s); return nil }
        surface = s; cr = c
        self.width = width; self.height = height
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT)
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
        if let mask { cairo_surface_destroy(mask) }
    }

    /// An A8 surface the size of the canvas, made on first use.
    func thinMask() -> OpaquePointer? {
        if let mask { return mask }
        guard let m = cairo_image_surface_create(CAIRO_FORMAT_A8, Int32(width), Int32(height)) else { return nil }
        guard cairo_surface_status(m) == CAIRO_STATUS_SUCCESS else { cairo_surface_destroy(m); return nil }
        mask = m
        return m
    }

    func clear(_ background: RenderBackground) {
        cairo_save(cr)
        cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE)
        if background.transparent { cairo_set_source_rgba(cr, 0, 0, 0, 0) } else { setSource(background.colour.with(opacity: 1)) }
        cairo_paint(cr)
        cairo_restore(cr)
        opaque = !background.transparent
    }

    /// Paints an image of the canvas's size (RGB, or RGBA with premultiplied alpha) over what is drawn.
    func paint(_ image: RasterImage) {
        guard image.width == width, image.height == height, image.channels == 3 || image.channels == 4,
              let s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)) else { return }
        defer { cairo_surface_destroy(s) }
        cairo_surface_flush(s)
        guard let data = cairo_image_surface_get_data(s) else { return }
        let stride = Int(cairo_image_surface_get_stride(s)), ch = image.channels
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<height {
                let row = UnsafeMutableRawPointer(data + y * stride)
                for x in 0..<width {
                    let o = (y * width + x) * ch
                    let a: UInt32 = ch == 4 ? UInt32(src[o + 3]) : 255
                    // Native-endian ARGB32, premultiplied like the source.
                    row.storeBytes(of: a << 24 | UInt32(src[o]) << 16 | UInt32(src[o + 1]) << 8 | UInt32(src[o + 2]),
                                   toByteOffset: x * 4, as: UInt32.self)
                }
            }
        }
        cairo_surface_mark_dirty(s)
        cairo_save(cr)
        cairo_set_source_surface(cr, s, 0, 0)
        cairo_paint(cr)
        cairo_restore(cr)
    }

    /// The drawn image: RGB when the background is opaque, else RGBA.
    func image() -> RasterImage {
        RasterImage(cairoSurface: surface, alpha: !opaque)!
    }

    func setSource(_ c: Colour, opacity extra: Double = 1) {
        cairo_set_source_rgba(cr, Double(c.r) / 255, Double(c.g) / 255, Double(c.b) / 255, c.opacity * extra)
    }

    func apply(_ s: Stroke, scale: Double = 1) {
        setSource(s.colour)
        cairo_set_line_width(cr, max(0.01, s.width * scale))
        switch s.lineJoin {
        case .miter: cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER)
        case .round: cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        case .bevel: cairo_set_line_join(cr, CAIRO_LINE_JOIN_BEVEL)
        }
        switch s.lineCap {
        case .butt: cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        case .round: cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND)
        case .square: cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE)
        }
        if let d = s.dashArray {
            let scaled = d.map { $0 * scale }
            scaled.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), s.dashOffset * scale) }
        } else {
            cairo_set_dash(cr, nil, 0, 0)
        }
    }

    // MARK: - Paths

    /// Adds the rings of polygons (or the parts of lines) to the current path, in pixels.
    func addPath(_ parts: [[Coord]], view: MapView, close: Bool) {
        for part in parts where part.count >= 2 {
            addPart(part, view: view, reversed: false, close: close)
        }
    }

    /// Adds a closed ring turning the way asked (in map coordinates: anticlockwise = positive area), reversing
    /// it if it turns the other way.
    func addRing(_ ring: [Coord], view: MapView, anticlockwise: Bool) {
        guard ring.count >= 3 else { return }
        // Shoelace: positive when the ring runs anticlockwise in map coordinates (y up).
        var twiceArea = 0.0
        var prev = ring[ring.count - 1]
        for c in ring {
            twiceArea += prev.x * c.y - c.x * prev.y
            prev = c
        }
        addPart(ring, view: view, reversed: (twiceArea > 0) != anticlockwise, close: true)
    }

    /// An open line already in pixels (an offset line), added as it is.
    func addPixels(_ pts: [OffsetLine.Point]) {
        guard pts.count >= 2 else { return }
        recorder?.begin(closed: false)
        for (k, p) in pts.enumerated() {
            if k == 0 { cairo_move_to(cr, p.x, p.y) } else { cairo_line_to(cr, p.x, p.y) }
            recorder?.add(p.x, p.y)
        }
    }

    /// One part of the path, in pixels (and in `recorder` when set), in the given direction. Points closer than a
    /// quarter pixel to the previous one are skipped; the last point is always kept.
    private func addPart(_ part: [Coord], view: MapView, reversed: Bool, close: Bool) {
        let n = part.count
        var lx = 0.0, ly = 0.0
        recorder?.begin(closed: close)
        for k in 0..<n {
            let p = view.pixel(part[reversed ? n - 1 - k : k])
            if k == 0 {
                cairo_move_to(cr, p.x, p.y)
            } else if k == n - 1 || abs(p.x - lx) >= 0.25 || abs(p.y - ly) >= 0.25 {
                cairo_line_to(cr, p.x, p.y)
            } else {
                continue
            }
            lx = p.x; ly = p.y
            recorder?.add(p.x, p.y)
        }
        if close { cairo_close_path(cr) }
    }
}

extension Geometry {
    /// Every polygon part: its outer ring then its holes.
    var polygons: [[[Coord]]] {
        switch self {
        case .polygon(let rs): [rs]
        case .multiPolygon(let ps): ps
        case .collection(let gs): gs.flatMap(\.polygons)
        default: []
        }
    }

    /// The rings of every polygon part (for fills), empty for other types.
    var polygonRings: [[Coord]] {
        switch self {
        case .polygon(let rs): rs
        case .multiPolygon(let ps): ps.flatMap { $0 }
        case .collection(let gs): gs.flatMap(\.polygonRings)
        default: []
        }
    }

    /// The lines to stroke: line parts, and polygon rings.
    var strokeParts: [[Coord]] {
        switch self {
        case .lineString(let cs): [cs]
        case .multiLineString(let ls): ls
        case .polygon(let rs): rs
        case .multiPolygon(let ps): ps.flatMap { $0 }
        case .collection(let gs): gs.flatMap(\.strokeParts)
        case .point, .multiPoint: []
        }
    }

    var lineParts: [[Coord]] {
        switch self {
        case .lineString(let cs): [cs]
        case .multiLineString(let ls): ls
        case .collection(let gs): gs.flatMap(\.lineParts)
        default: []
        }
    }

    var points: [Coord] {
        switch self {
        case .point(let c): [c]
        case .multiPoint(let cs): cs
        case .collection(let gs): gs.flatMap(\.points)
        default: []
        }
    }

    var isPolygonal: Bool {
        switch self {
        case .polygon, .multiPolygon: true
        case .collection(let gs): gs.contains { $0.isPolygonal }
        default: false
        }
    }
}
