import CCairo
import Foundation
import Styling

/// SE GraphicStroke: a graphic (mark or image) drawn again and again along a line, turned with it, as GeoServer
/// draws it. With a dash array on the stroke (what QGIS and GeoServer styles use for spacing), one graphic sits in
/// the middle of each dash; without one, graphics follow each other every size + Gap pixels after InitialGap.
extension CairoCanvas {
    /// Most graphics drawn along one line: a tiny gap on a long line otherwise costs without showing more.
    static let maxGraphicsPerLine = 20_000

    func drawGraphicStroke(_ gs: GraphicStroke, dashes: [Double]?, dashOffset: Double,
                           along pts: [OffsetLine.Point], turning: Bool = true, images: ImageCache) {
        guard pts.count >= 2 else { return }
        let size = graphicSize(gs.graphic, images: images)
        // Distances of graphic centres within one period of the pattern.
        var period: Double, centres: [Double], start: Double
        if var d = dashes, d.contains(where: { $0 > 0 }) {
            if d.count % 2 == 1 { d += d }
            period = d.reduce(0, +)
            centres = stride(from: 0, to: d.count, by: 2).map { k in d[..<k].reduce(0, +) + d[k] / 2 }
            start = -dashOffset
        } else {
            period = size + gs.gap
            centres = [size / 2]
            start = gs.initialGap
        }
        guard period > 0.5, period.isFinite, start.isFinite else { return }
        // A large dash offset moves the pattern by whole periods first: no walk through them.
        if start < 0 { start = start.truncatingRemainder(dividingBy: period) }
        // Walks the line once, placing graphics at increasing distances.
        let reach = size + 2
        var placed = 0, base = start, segStart = 0.0, i = 0
        let segLen = { (i: Int) -> Double in hypot(pts[i + 1].x - pts[i].x, pts[i + 1].y - pts[i].y) }
        var len = segLen(0)
        while placed < Self.maxGraphicsPerLine {
            var done = false
            for c in centres {
                let at = base + c
                if at < 0 { continue }
                while at > segStart + len {
                    segStart += len; i += 1
                    if i >= pts.count - 1 { done = true; break }
                    len = segLen(i)
                }
                if done { break }
                guard len > 0 else { continue }
                let t = (at - segStart) / len
                let dx = pts[i + 1].x - pts[i].x, dy = pts[i + 1].y - pts[i].y
                let x = pts[i].x + t * dx, y = pts[i].y + t * dy
                placed += 1
                guard x > -reach, y > -reach, x < Double(width) + reach, y < Double(height) + reach else { continue }
                var g = gs.graphic
                if turning { g.rotation += atan2(dy, dx) * 180 / .pi }
                drawGraphic(g, x: x, y: y, images: images)
            }
            if done { break }
            base += period
        }
    }

    /// QGIS's other marker line placements: one graphic on each vertex, on the first or last point, or half-way.
    func drawGraphics(_ graphic: Graphic, _ placement: GraphicStrokePlacement, along pts: [OffsetLine.Point],
                      turning: Bool, images: ImageCache) {
        guard pts.count >= 2 else { return }
        let line = PixelPath(pts)
        let distances: [Double]
        switch placement {
        case .repeated: return
        case .points: distances = line.vertexDistances
        case .firstPoint: distances = [0]
        case .lastPoint: distances = [line.length]
        case .centralPoint: distances = [line.length / 2]
        }
        for d in distances {
            let p = line.point(at: d)
            var g = graphic
            if turning { g.rotation += line.angle(at: d) * 180 / .pi }
            drawGraphic(g, x: p.x, y: p.y, images: images)
        }
    }

    /// The graphic's height in pixels: its Size, else the image's own, else `markDefault`.
    func graphicSize(_ g: Graphic, markDefault: Double = 6, images: ImageCache) -> Double {
        if let s = g.size { return s }
        if g.mark == nil, let e = g.external, let img = images.surface(e, height: nil) {
            return Double(cairo_image_surface_get_height(img))
        }
        return markDefault
    }
}
