import Geo

/// Where a label goes on a geometry (the feature's visible part, or its whole geometry for tiles: see
/// `MapRenderer.render`).
enum LabelPoint {
    static func of(_ g: Geometry) -> Coord? {
        switch g {
        case .point(let c): return c
        case .multiPoint(let cs): return cs.first
        case .lineString(let cs): return midpoint(cs)
        case .multiLineString(let ls): return ls.max { length($0) < length($1) }.flatMap { midpoint($0) }
        case .polygon(let rs): return interior(rs)
        case .multiPolygon(let ps): return ps.max { area($0) < area($1) }.flatMap { interior($0) }
        case .collection(let gs):
            let polys = gs.filter { $0.isPolygonal }
            return (polys.first ?? gs.first).flatMap { of($0) }
        }
    }

    /// Shoelace area of the exterior ring minus the holes.
    static func area(_ rings: [[Coord]]) -> Double {
        var total = 0.0
        for (i, r) in rings.enumerated() {
            var a = 0.0
            if r.count >= 3 {
                for j in 0..<(r.count - 1) { a += r[j].x * r[j + 1].y - r[j + 1].x * r[j].y }
            }
            total += i == 0 ? abs(a) / 2 : -abs(a) / 2
        }
        return total
    }

    static func length(_ cs: [Coord]) -> Double {
        guard cs.count > 1 else { return 0 }
        var l = 0.0
        for i in 1..<cs.count { l += hypot(cs[i].x - cs[i - 1].x, cs[i].y - cs[i - 1].y) }
        return l
    }

    /// The point half-way along a line.
    static func midpoint(_ cs: [Coord]) -> Coord? {
        guard let first = cs.first else { return nil }
        let half = length(cs) / 2
        var acc = 0.0
        for i in 1..<max(1, cs.count) {
            let d = hypot(cs[i].x - cs[i - 1].x, cs[i].y - cs[i - 1].y)
            if acc + d >= half && d > 0 {
                let t = (half - acc) / d
                return Coord(cs[i - 1].x + t * (cs[i].x - cs[i - 1].x), cs[i - 1].y + t * (cs[i].y - cs[i - 1].y))
            }
            acc += d
        }
        return first
    }

    /// A point inside a polygon: the middle of the widest inside span of the horizontal line through the
    /// middle of its box (what GEOS's InteriorPointArea does), which is inside even for C-shaped polygons.
    static func interior(_ rings: [[Coord]]) -> Coord? {
        guard let ext = rings.first, !ext.isEmpty else { return nil }
        var minY = Double.infinity, maxY = -Double.infinity
        for c in ext { minY = min(minY, c.y); maxY = max(maxY, c.y) }
        let y = (minY + maxY) / 2
        var xs: [Double] = []
        for r in rings where r.count >= 2 {
            for j in 0..<(r.count - 1) {
                let a = r[j], b = r[j + 1]
                if (a.y <= y && b.y > y) || (b.y <= y && a.y > y) {
                    xs.append(a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x))
                }
            }
        }
        xs.sort()
        var best: (Double, Double)? = nil
        var i = 0
        while i + 1 < xs.count {
            if best == nil || xs[i + 1] - xs[i] > best!.1 - best!.0 { best = (xs[i], xs[i + 1]) }
            i += 2
        }
        if let b = best { return Coord((b.0 + b.1) / 2, y) }
        var sx = 0.0
        for c in ext { sx += c.x }
        return Coord(sx / Double(ext.count), y)
    }
}

#if canImport(Glibc)
import Glibc
#endif
