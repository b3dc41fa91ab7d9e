import CCairo
import Foundation
import Styling

/// The pixel points of the path being built, kept when its stroke is drawn by `strokeThin` rather than Cairo.
struct PathRecorder {
    var xs: [Double] = []
    var ys: [Double] = []
    /// Index in `xs`/`ys` where each part starts, and whether it is a closed ring.
    var starts: [Int] = []
    var closed: [Bool] = []

    mutating func begin(closed c: Bool) { starts.append(xs.count); closed.append(c) }
    mutating func add(_ x: Double, _ y: Double) { xs.append(x); ys.append(y) }
}

/// Thin strokes (at most `ThinStroke.maxWidth` pixels, solid): their coverage is computed per pixel as the
/// overlap of the pixel with the band of the line (distance to the nearest segment, round joins and caps),
/// accumulated as the maximum over all segments into an A8 mask, then composited in one `cairo_mask_surface`.
/// Cairo's general stroker builds and scan-converts a polygon of every segment and join, which on maps of
/// thousands of small polygons costs most of the drawing time; at these widths the two give the same picture
/// (joins and caps are sub-pixel), and the mask gives each pixel its coverage once where outlines overlap.
enum ThinStroke {
    static let maxWidth = 1.5

    static func applies(to s: Stroke) -> Bool {
        s.width > 0 && s.width <= maxWidth && (s.dashArray ?? []).isEmpty
    }
}

extension CairoCanvas {
    /// Draws the recorded parts with a thin solid stroke.
    func strokeThin(_ rec: PathRecorder, _ s: Stroke) {
        guard let mask = thinMask() else { return }
        cairo_surface_flush(mask)
        guard let data = cairo_image_surface_get_data(mask) else { return }
        let stride = Int(cairo_image_surface_get_stride(mask))
        memset(data, 0, stride * height)
        var raster = CoverageRaster(data: data, stride: stride, width: width, height: height, halfWidth: s.width / 2)
        for (p, start) in rec.starts.enumerated() {
            let end = p + 1 < rec.starts.count ? rec.starts[p + 1] : rec.xs.count
            guard end - start >= 2 else { continue }
            for k in start..<(end - 1) {
                raster.segment(rec.xs[k], rec.ys[k], rec.xs[k + 1], rec.ys[k + 1])
            }
            if rec.closed[p] { raster.segment(rec.xs[end - 1], rec.ys[end - 1], rec.xs[start], rec.ys[start]) }
        }
        cairo_surface_mark_dirty(mask)
        setSource(s.colour)
        cairo_mask_surface(cr, mask, 0, 0)
    }
}

/// Writes stroke coverage into an A8 buffer (maximum over segments).
struct CoverageRaster {
    let data: UnsafeMutablePointer<UInt8>
    let stride: Int
    let width: Int
    let height: Int
    let halfWidth: Double

    /// Coverage of a pixel whose centre is `d` pixels from the line: the overlap of [d - ½, d + ½] with
    /// [-w/2, w/2].
    @inline(__always) func coverage(_ d: Double) -> UInt8 {
        let c = min(d + 0.5, halfWidth) - max(d - 0.5, -halfWidth)
        return c <= 0 ? 0 : UInt8(min(1, c) * 255 + 0.5)
    }

    mutating func segment(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) {
        guard ax.isFinite, ay.isFinite, bx.isFinite, by.isFinite else { return }
        let reach = halfWidth + 0.5
        let w = Double(width), h = Double(height)
        // Pixels whose centre may lie within `reach` of the segment, kept inside the image.
        let x0 = Int(max(-1, min(w, (min(ax, bx) - reach).rounded(.down))))
        let x1 = Int(max(-1, min(w, (max(ax, bx) + reach).rounded(.down))))
        let y0 = Int(max(-1, min(h, (min(ay, by) - reach).rounded(.down))))
        let y1 = Int(max(-1, min(h, (max(ay, by) + reach).rounded(.down))))
        let cx0 = max(0, x0), cx1 = min(width - 1, x1), cy0 = max(0, y0), cy1 = min(height - 1, y1)
        guard cx0 <= cx1, cy0 <= cy1 else { return }
        let dx = bx - ax, dy = by - ay
        let len2 = dx * dx + dy * dy
        let invLen2 = len2 > 0 ? 1 / len2 : 0
        @inline(__always) func distance(_ px: Double, _ py: Double) -> Double {
            let t = min(1, max(0, ((px - ax) * dx + (py - ay) * dy) * invLen2))
            let qx = ax + t * dx - px, qy = ay + t * dy - py
            return (qx * qx + qy * qy).squareRoot()
        }
        // Along the major axis, one pixel at a time: the pixels across it whose centre can lie within `reach`
        // of the line are those within reach / cos θ of where the line crosses the pixel's centre line.
        let len = len2.squareRoot()
        if abs(dx) >= abs(dy) {
            let across = len > 0 ? reach * len / abs(dx) : reach
            let invDx = dx != 0 ? 1 / dx : 0
            for x in cx0...cx1 {
                let px = Double(x) + 0.5
                let t = min(1, max(0, (px - ax) * invDx))
                let yl = ay + t * dy
                let lo = max(cy0, Int(max(-1, min(h, (yl - across - 0.5).rounded(.up)))))
                let hi = min(cy1, Int(max(-1, min(h, (yl + across - 0.5).rounded(.down)))))
                if lo > hi { continue }
                for y in lo...hi { plot(x, y, distance(px, Double(y) + 0.5)) }
            }
        } else {
            let across = reach * len / abs(dy)
            let invDy = 1 / dy
            for y in cy0...cy1 {
                let py = Double(y) + 0.5
                let t = min(1, max(0, (py - ay) * invDy))
                let xl = ax + t * dx
                let lo = max(cx0, Int(max(-1, min(w, (xl - across - 0.5).rounded(.up)))))
                let hi = min(cx1, Int(max(-1, min(w, (xl + across - 0.5).rounded(.down)))))
                if lo > hi { continue }
                for x in lo...hi { plot(x, y, distance(Double(x) + 0.5, py)) }
            }
        }
    }

    @inline(__always) private func plot(_ x: Int, _ y: Int, _ d: Double) {
        let c = coverage(d)
        guard c > 0 else { return }
        let p = data + y * stride + x
        if c > p.pointee { p.pointee = c }
    }
}
