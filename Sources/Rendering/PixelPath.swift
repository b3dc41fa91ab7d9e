import Foundation

/// A line in pixels, measured along its length.
struct PixelPath {
    let points: [(x: Double, y: Double)]
    /// Distance from the start to each point.
    private let at: [Double]

    init(_ points: [(x: Double, y: Double)]) {
        self.points = points
        var acc = [0.0]
        for i in points.indices.dropFirst() {
            acc.append(acc[i - 1] + hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y))
        }
        at = acc
    }

    var length: Double { at.last ?? 0 }
    /// Distance from the start to each vertex.
    var vertexDistances: [Double] { at }

    /// The segment holding distance `d` (clamped to the line).
    private func segment(_ d: Double) -> Int {
        var i = 1
        while i < points.count - 1 && at[i] < d { i += 1 }
        return i
    }

    func point(at d: Double) -> (x: Double, y: Double) {
        guard points.count > 1 else { return points.first ?? (0, 0) }
        let i = segment(d)
        let len = at[i] - at[i - 1]
        let t = len > 0 ? max(0, min(1, (d - at[i - 1]) / len)) : 0
        return (points[i - 1].x + t * (points[i].x - points[i - 1].x), points[i - 1].y + t * (points[i].y - points[i - 1].y))
    }

    /// The direction of the line at distance `d`, in radians (pixels: y down).
    func angle(at d: Double) -> Double {
        guard points.count > 1 else { return 0 }
        var i = segment(d)
        // A zero-length segment has no direction: take the next one that has.
        while i < points.count - 1 && at[i] == at[i - 1] { i += 1 }
        return atan2(points[i].y - points[i - 1].y, points[i].x - points[i - 1].x)
    }
}
