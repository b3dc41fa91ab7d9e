import OGCCore

/// A position: x is easting/longitude, y northing/latitude, always in that order inside Passerelle.
public struct Coord: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

public enum GeometryType: String, Sendable, Codable, CaseIterable {
    case point = "Point", lineString = "LineString", polygon = "Polygon"
    case multiPoint = "MultiPoint", multiLineString = "MultiLineString", multiPolygon = "MultiPolygon"
    case geometryCollection = "GeometryCollection", unknown = "Geometry"
}

/// A 2D simple-features geometry (Z and M are dropped on read).
public indirect enum Geometry: Sendable, Equatable {
    case point(Coord)
    case lineString([Coord])
    /// Rings: the first is the exterior.
    case polygon([[Coord]])
    case multiPoint([Coord])
    case multiLineString([[Coord]])
    case multiPolygon([[[Coord]]])
    case collection([Geometry])

    public var type: GeometryType {
        switch self {
        case .point: .point
        case .lineString: .lineString
        case .polygon: .polygon
        case .multiPoint: .multiPoint
        case .multiLineString: .multiLineString
        case .multiPolygon: .multiPolygon
        case .collection: .geometryCollection
        }
    }

    /// The bounding box; nil for an empty geometry.
    public var bbox: BBox? {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        forEachCoord { c in
            if c.x < minX { minX = c.x }; if c.x > maxX { maxX = c.x }
            if c.y < minY { minY = c.y }; if c.y > maxY { maxY = c.y }
        }
        return minX <= maxX ? BBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) : nil
    }

    public func forEachCoord(_ f: (Coord) -> Void) {
        switch self {
        case .point(let c): f(c)
        case .lineString(let cs), .multiPoint(let cs): cs.forEach(f)
        case .polygon(let rs), .multiLineString(let rs): for r in rs { r.forEach(f) }
        case .multiPolygon(let ps): for p in ps { for r in p { r.forEach(f) } }
        case .collection(let gs): for g in gs { g.forEachCoord(f) }
        }
    }

    /// The same geometry with every coordinate mapped.
    public func map(_ f: (Coord) -> Coord) -> Geometry {
        switch self {
        case .point(let c): .point(f(c))
        case .lineString(let cs): .lineString(cs.map(f))
        case .multiPoint(let cs): .multiPoint(cs.map(f))
        case .polygon(let rs): .polygon(rs.map { $0.map(f) })
        case .multiLineString(let rs): .multiLineString(rs.map { $0.map(f) })
        case .multiPolygon(let ps): .multiPolygon(ps.map { $0.map { $0.map(f) } })
        case .collection(let gs): .collection(gs.map { $0.map(f) })
        }
    }
}
