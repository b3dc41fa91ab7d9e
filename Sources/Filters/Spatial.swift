import Geo

/// Planar spatial predicates in pure Swift, for in-memory evaluation of small filters (SLD rules).
/// Intersects, Disjoint, Within, Contains and distances are exact on vertices and segments; Touches, Crosses,
/// Overlaps and Equals are approximations (a GEOS-backed version belongs in `Geo`).
enum Spatial {
    static func evaluate(_ op: SpatialOp, _ a: Geometry, _ b: Geometry) -> Bool {
        switch op {
        case .intersects: return intersects(a, b)
        case .disjoint: return !intersects(a, b)
        case .within: return within(a, b)
        case .contains: return within(b, a)
        case .equals: return Set(vertices(a)) == Set(vertices(b))
        case .touches: return intersects(a, b) && !interiorsMeet(a, b)
        case .crosses, .overlaps: return intersects(a, b) && !within(a, b) && !within(b, a)
        }
    }

    typealias Seg = (Coord, Coord)

    static func vertices(_ g: Geometry) -> [Coord] {
        var out: [Coord] = []
        g.forEachCoord { out.append($0) }
        return out
    }

    static func segments(_ g: Geometry) -> [Seg] {
        func segs(_ cs: [Coord]) -> [Seg] { cs.count < 2 ? [] : (1..<cs.count).map { (cs[$0 - 1], cs[$0]) } }
        switch g {
        case .point, .multiPoint: return []
        case .lineString(let cs): return segs(cs)
        case .polygon(let rs), .multiLineString(let rs): return rs.flatMap(segs)
        case .multiPolygon(let ps): return ps.flatMap { $0.flatMap(segs) }
        case .collection(let gs): return gs.flatMap(segments)
        }
    }

    static func polygons(_ g: Geometry) -> [[[Coord]]] {
        switch g {
        case .polygon(let rs): return [rs]
        case .multiPolygon(let ps): return ps
        case .collection(let gs): return gs.flatMap(polygons)
        default: return []
        }
    }

    /// Point in polygon (even-odd over all rings, so holes count), boundary included.
    static func inside(_ p: Coord, _ rings: [[Coord]]) -> Bool {
        var c = false
        for r in rings where r.count >= 2 {
            for i in 1..<r.count {
                let a = r[i - 1], b = r[i]
                if onSegment(p, a, b) { return true }
                if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { c.toggle() }
            }
        }
        return c
    }

    static func cross(_ o: Coord, _ a: Coord, _ b: Coord) -> Double { (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x) }

    static func onSegment(_ p: Coord, _ a: Coord, _ b: Coord) -> Bool {
        cross(a, b, p) == 0 && min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
    }

    static func segmentsIntersect(_ s: Seg, _ t: Seg) -> Bool {
        let d1 = cross(t.0, t.1, s.0), d2 = cross(t.0, t.1, s.1), d3 = cross(s.0, s.1, t.0), d4 = cross(s.0, s.1, t.1)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return true }
        return onSegment(s.0, t.0, t.1) || onSegment(s.1, t.0, t.1) || onSegment(t.0, s.0, s.1) || onSegment(t.1, s.0, s.1)
    }

    static func inAny(_ p: Coord, _ g: Geometry) -> Bool {
        switch g {
        case .point(let c): return c == p
        case .multiPoint(let cs): return cs.contains(p)
        default:
            if polygons(g).contains(where: { inside(p, $0) }) { return true }
            return segments(g).contains { onSegment(p, $0.0, $0.1) }
        }
    }

    static func intersects(_ a: Geometry, _ b: Geometry) -> Bool {
        guard let ab = a.bbox, let bb = b.bbox, ab.intersects(bb) else { return false }
        let sa = segments(a), sb = segments(b)
        for s in sa where bb.intersects(box(s)) { for t in sb where segmentsIntersect(s, t) { return true } }
        if vertices(a).contains(where: { inAny($0, b) }) { return true }
        if vertices(b).contains(where: { inAny($0, a) }) { return true }
        return false
    }

    static func box(_ s: Seg) -> BBoxLite { BBoxLite(s) }

    /// All of `a` inside `b`: every vertex of `a` in `b`, and no edge of `a` properly crossing an edge of `b`.
    static func within(_ a: Geometry, _ b: Geometry) -> Bool {
        let va = vertices(a)
        guard !va.isEmpty, va.allSatisfy({ inAny($0, b) }) else { return false }
        let sb = segments(b)
        for s in segments(a) {
            for t in sb {
                let d1 = cross(t.0, t.1, s.0), d2 = cross(t.0, t.1, s.1), d3 = cross(s.0, s.1, t.0), d4 = cross(s.0, s.1, t.1)
                if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return false }
            }
        }
        return true
    }

    /// Some vertex of one strictly inside the other (not on its boundary): an approximation of interior overlap.
    static func interiorsMeet(_ a: Geometry, _ b: Geometry) -> Bool {
        func strictly(_ p: Coord, _ g: Geometry) -> Bool {
            !segments(g).contains { onSegment(p, $0.0, $0.1) } && polygons(g).contains { inside(p, $0) }
        }
        if vertices(a).contains(where: { strictly($0, b) }) || vertices(b).contains(where: { strictly($0, a) }) { return true }
        for s in segments(a) {
            for t in segments(b) {
                let d1 = cross(t.0, t.1, s.0), d2 = cross(t.0, t.1, s.1), d3 = cross(s.0, s.1, t.0), d4 = cross(s.0, s.1, t.1)
                if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return true }
            }
        }
        return false
    }

    static func pointSegment(_ p: Coord, _ a: Coord, _ b: Coord) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        var t = len2 == 0 ? 0 : ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2
        t = max(0, min(1, t))
        let x = a.x + t * dx - p.x, y = a.y + t * dy - p.y
        return (x * x + y * y).squareRoot()
    }

    static func minDistance(_ a: Geometry, _ b: Geometry) -> Double {
        if intersects(a, b) { return 0 }
        var best = Double.infinity
        let sa = segments(a), sb = segments(b), va = vertices(a), vb = vertices(b)
        for p in va { for s in sb { best = min(best, pointSegment(p, s.0, s.1)) } }
        for p in vb { for s in sa { best = min(best, pointSegment(p, s.0, s.1)) } }
        if sa.isEmpty && sb.isEmpty {
            for p in va { for q in vb { best = min(best, ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot()) } }
        }
        return best
    }
}

struct BBoxLite {
    var minX, minY, maxX, maxY: Double
    init(_ s: Spatial.Seg) {
        minX = min(s.0.x, s.1.x); maxX = max(s.0.x, s.1.x); minY = min(s.0.y, s.1.y); maxY = max(s.0.y, s.1.y)
    }
}

import OGCCore

extension BBox {
    func intersects(_ b: BBoxLite) -> Bool { minX <= b.maxX && b.minX <= maxX && minY <= b.maxY && b.minY <= maxY }
}
