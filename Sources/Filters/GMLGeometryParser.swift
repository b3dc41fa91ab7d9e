import Geo
import OGCCore
import SafeXML

/// A geometry literal read from GML (3.2, 3.1.1 and the GML 2 `coordinates`/`Box` forms), in x/y order.
public struct GMLGeometry: Sendable, Equatable {
    public var geometry: Geometry
    /// The EPSG code of `srsName`, nil when absent.
    public var srid: Int?
    /// Set when the literal was an `Envelope` (or GML 2 `Box`).
    public var envelope: BBox?
}

/// Reads GML geometry literals. `srsName` is honoured with its axis order: the `urn:` and `http://www.opengis.net/def/crs/`
/// spellings of a latitude-first CRS (EPSG:4326…) are swapped to x = longitude.
public enum GMLGeometryParser {
    public static let geometryNames: Set<String> = [
        "Point", "LineString", "Curve", "LinearRing", "Polygon", "Surface", "Envelope", "Box", "MultiPoint",
        "MultiCurve", "MultiLineString", "MultiSurface", "MultiPolygon", "MultiGeometry",
    ]

    public static func isGeometry(_ e: XMLElement) -> Bool { geometryNames.contains(e.name) }

    public static func parse(_ e: XMLElement, locator: String = "FILTER") throws(OGCError) -> GMLGeometry {
        var p = Reader(locator: locator)
        return try p.read(e, srs: nil)
    }

    struct Reader {
        let locator: String
        var depth = 0

        func fail(_ m: String) -> OGCError { OGCError(.invalidParameterValue, locator: locator, m) }

        mutating func read(_ e: XMLElement, srs inherited: CRSName?) throws(OGCError) -> GMLGeometry {
            var srs = inherited
            if let name = e.attribute("srsName") {
                guard let c = CRSName.parse(name) else { throw fail("Unknown srsName \(name)") }
                srs = c
            }
            let swap = srs?.swapsAxesInWFS ?? false
            let dim = Int(e.attribute("srsDimension") ?? "") ?? 2
            let srid = srs?.isCRS84 == true ? 4326 : srs?.epsgCode
            depth += 1
            defer { depth -= 1 }
            guard depth < 16 else { throw fail("GML geometry nested too deep") }
            switch e.name {
            case "Point":
                let cs = try coords(e, swap: swap, dim: dim)
                guard cs.count == 1 else { throw fail("A gml:Point needs exactly one position") }
                return GMLGeometry(geometry: .point(cs[0]), srid: srid)
            case "LineString", "Curve", "LinearRing":
                let cs = try lineCoords(e, swap: swap, dim: dim)
                guard cs.count >= 2 else { throw fail("A gml:\(e.name) needs at least two positions") }
                return GMLGeometry(geometry: .lineString(cs), srid: srid)
            case "Polygon", "Surface":
                return GMLGeometry(geometry: .polygon(try polygonRings(e, swap: swap, dim: dim)), srid: srid)
            case "Envelope", "Box":
                let b = try envelope(e, swap: swap, dim: dim)
                let ring = [Coord(b.minX, b.minY), Coord(b.maxX, b.minY), Coord(b.maxX, b.maxY), Coord(b.minX, b.maxY),
                            Coord(b.minX, b.minY)]
                return GMLGeometry(geometry: .polygon([ring]), srid: srid, envelope: b)
            case "MultiPoint":
                var pts: [Coord] = []
                for m in members(e, ["pointMember", "pointMembers"]) {
                    let g = try read(m, srs: srs)
                    guard case .point(let c) = g.geometry else { throw fail("gml:MultiPoint holds a non-point") }
                    pts.append(c)
                }
                return GMLGeometry(geometry: .multiPoint(pts), srid: srid)
            case "MultiCurve", "MultiLineString":
                var lines: [[Coord]] = []
                for m in members(e, ["curveMember", "curveMembers", "lineStringMember"]) {
                    let g = try read(m, srs: srs)
                    guard case .lineString(let cs) = g.geometry else { throw fail("gml:\(e.name) holds a non-line") }
                    lines.append(cs)
                }
                return GMLGeometry(geometry: .multiLineString(lines), srid: srid)
            case "MultiSurface", "MultiPolygon":
                var polys: [[[Coord]]] = []
                for m in members(e, ["surfaceMember", "surfaceMembers", "polygonMember"]) {
                    let g = try read(m, srs: srs)
                    guard case .polygon(let rs) = g.geometry else { throw fail("gml:\(e.name) holds a non-polygon") }
                    polys.append(rs)
                }
                return GMLGeometry(geometry: .multiPolygon(polys), srid: srid)
            case "MultiGeometry":
                var gs: [Geometry] = []
                for m in members(e, ["geometryMember", "geometryMembers"]) { gs.append(try read(m, srs: srs).geometry) }
                return GMLGeometry(geometry: .collection(gs), srid: srid)
            default:
                throw fail("Unsupported GML geometry gml:\(e.name)")
            }
        }

        /// The geometries inside member properties (`gml:surfaceMember/gml:Polygon`, or several under `…Members`).
        func members(_ e: XMLElement, _ names: Set<String>) -> [XMLElement] {
            e.children.filter { names.contains($0.name) }.flatMap { $0.children }
        }

        func polygonRings(_ e: XMLElement, swap: Bool, dim: Int) throws(OGCError) -> [[Coord]] {
            var rings: [[Coord]] = []
            if e.name == "Surface" {
                // gml:Surface/gml:patches/gml:PolygonPatch
                guard let patch = e.child("patches")?.children.first else { throw fail("gml:Surface without patches") }
                return try polygonRings(patch, swap: swap, dim: dim)
            }
            for boundary in e.children where ["exterior", "interior", "outerBoundaryIs", "innerBoundaryIs"].contains(boundary.name) {
                guard let ring = boundary.children.first else { throw fail("Empty polygon boundary") }
                let cs = try lineCoords(ring, swap: swap, dim: Int(ring.attribute("srsDimension") ?? "") ?? dim)
                guard cs.count >= 4, cs.first == cs.last else { throw fail("A polygon ring must be closed with at least four positions") }
                if boundary.name == "exterior" || boundary.name == "outerBoundaryIs" { rings.insert(cs, at: 0) } else { rings.append(cs) }
            }
            guard !rings.isEmpty else { throw fail("gml:Polygon without an exterior ring") }
            return rings
        }

        func envelope(_ e: XMLElement, swap: Bool, dim: Int) throws(OGCError) -> BBox {
            var cs: [Coord]
            if let lo = e.child("lowerCorner"), let hi = e.child("upperCorner") {
                cs = try numbers(lo.text, swap: swap, dim: dim) + numbers(hi.text, swap: swap, dim: dim)
            } else {
                cs = try coords(e, swap: swap, dim: dim)
            }
            guard cs.count == 2 else { throw fail("An envelope needs two corners") }
            let b = BBox(minX: cs[0].x, minY: cs[0].y, maxX: cs[1].x, maxY: cs[1].y)
            guard b.minX <= b.maxX, b.minY <= b.maxY else { throw fail("An envelope's lower corner is above its upper corner") }
            return b
        }

        /// Positions of a line or ring: `posList`, a sequence of `pos`/`pointProperty`, or `coordinates`.
        func lineCoords(_ e: XMLElement, swap: Bool, dim: Int) throws(OGCError) -> [Coord] {
            if e.name == "Curve" {
                guard let seg = e.child("segments")?.children.first else { throw fail("gml:Curve without segments") }
                return try lineCoords(seg, swap: swap, dim: dim)
            }
            return try coords(e, swap: swap, dim: dim)
        }

        func coords(_ e: XMLElement, swap: Bool, dim: Int) throws(OGCError) -> [Coord] {
            if let pl = e.child("posList") {
                return try numbers(pl.text, swap: swap, dim: Int(pl.attribute("srsDimension") ?? "") ?? dim)
            }
            if let c = e.child("coordinates") { return try coordinates(c, swap: swap) }
            var out: [Coord] = []
            for child in e.children {
                switch child.name {
                case "pos":
                    out += try numbers(child.text, swap: swap, dim: Int(child.attribute("srsDimension") ?? "") ?? dim)
                case "coord":
                    guard let x = Double(child.child("X")?.trimmedText ?? ""), let y = Double(child.child("Y")?.trimmedText ?? ""),
                          x.isFinite, y.isFinite else { throw fail("Bad gml:coord") }
                    out.append(swap ? Coord(y, x) : Coord(x, y))
                case "pointProperty", "pointRep":
                    if let pt = child.children.first { out += try coords(pt, swap: swap, dim: dim) }
                default: break
                }
            }
            guard !out.isEmpty else { throw fail("gml:\(e.name) has no coordinates") }
            return out
        }

        func numbers(_ text: String, swap: Bool, dim: Int) throws(OGCError) -> [Coord] {
            guard dim >= 2, dim <= 4 else { throw fail("Unsupported srsDimension \(dim)") }
            var vals: [Double] = []
            for tok in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
                guard let d = Double(tok), d.isFinite else { throw fail("Not a number in GML coordinates: \(tok.prefix(32))") }
                vals.append(d)
            }
            guard !vals.isEmpty, vals.count % dim == 0 else { throw fail("GML coordinates do not match the dimension \(dim)") }
            var out: [Coord] = []
            out.reserveCapacity(vals.count / dim)
            var i = 0
            while i < vals.count {
                out.append(swap ? Coord(vals[i + 1], vals[i]) : Coord(vals[i], vals[i + 1]))
                i += dim
            }
            return out
        }

        func coordinates(_ e: XMLElement, swap: Bool) throws(OGCError) -> [Coord] {
            let cs = e.attribute("cs") ?? ",", ts = e.attribute("ts") ?? " ", dec = e.attribute("decimal") ?? "."
            guard let csc = cs.first, let decc = dec.first else { throw fail("Bad gml:coordinates separators") }
            var out: [Coord] = []
            let tuples = e.trimmedText.split(whereSeparator: { ts.contains($0) || $0.isWhitespace })
            for t in tuples {
                let parts = t.split(separator: csc).map { decc == "." ? String($0) : $0.replacingAll(decc, ".") }
                guard parts.count >= 2, let x = Double(parts[0]), let y = Double(parts[1]), x.isFinite, y.isFinite else {
                    throw fail("Bad gml:coordinates tuple \(t.prefix(32))")
                }
                out.append(swap ? Coord(y, x) : Coord(x, y))
            }
            guard !out.isEmpty else { throw fail("Empty gml:coordinates") }
            return out
        }
    }
}

extension Substring {
    fileprivate func replacingAll(_ c: Character, _ with: Character) -> String { String(map { $0 == c ? with : $0 }) }
}
