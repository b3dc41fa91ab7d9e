import Foundation

/// SE PerpendicularOffset: a line moved sideways in pixel space. Cairo strokes only the path it is given, so
/// each segment is moved along its normal and consecutive segments are joined at the crossing of their offset
/// lines (a mitre), or cut with a bevel where that crossing would lie far out (sharp turns).
enum OffsetLine {
    typealias Point = (x: Double, y: Double)

    /// `points` (pixels, y down) moved `distance` pixels to the left of their direction as seen on the map
    /// (negative: to the right). A closed ring (first point repeated last) is joined at its start too.
    static func offset(_ points: [Point], by distance: Double) -> [Point] {
        // Without repeated points: a zero-length segment has no normal.
        var pts: [Point] = []
        pts.reserveCapacity(points.count)
        for p in points where pts.last.map({ abs($0.x - p.x) > 1e-9 || abs($0.y - p.y) > 1e-9 }) ?? true { pts.append(p) }
        guard pts.count >= 2, distance != 0 else { return pts }
        let closed = pts.count > 3 && abs(pts[0].x - pts[pts.count - 1].x) < 1e-9 && abs(pts[0].y - pts[pts.count - 1].y) < 1e-9
        // Left of direction (dx, dy) on the map is (dy, -dx) in pixels, whose y axis points down.
        let normals: [Point] = (0..<(pts.count - 1)).map { i in
            let dx = pts[i + 1].x - pts[i].x, dy = pts[i + 1].y - pts[i].y
            let len = (dx * dx + dy * dy).squareRoot()
            return (dy / len, -dx / len)
        }
        var out: [Point] = []
        out.reserveCapacity(pts.count + 8)
        func join(at p: Point, _ a: Point, _ b: Point) {
            let cosine = a.x * b.x + a.y * b.y
            // Mitre point: along the bisector, d / cos(θ/2) out; past 4 d (a turn sharper than ~29°), a bevel.
            let k = 1 + cosine
            if k > 2.0 / 16 {
                out.append((p.x + (a.x + b.x) / k * distance, p.y + (a.y + b.y) / k * distance))
            } else {
                out.append((p.x + a.x * distance, p.y + a.y * distance))
                out.append((p.x + b.x * distance, p.y + b.y * distance))
            }
        }
        if closed {
            join(at: pts[0], normals[normals.count - 1], normals[0])
        } else {
            out.append((pts[0].x + normals[0].x * distance, pts[0].y + normals[0].y * distance))
        }
        for i in 1..<(pts.count - 1) { join(at: pts[i], normals[i - 1], normals[i]) }
        if closed {
            out.append(out[0])
        } else {
            let n = normals[normals.count - 1], p = pts[pts.count - 1]
            out.append((p.x + n.x * distance, p.y + n.y * distance))
        }
        return out
    }
}
