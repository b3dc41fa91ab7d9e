import Geo
import OGCCore
import Testing

@Suite struct ProjectionTests {
    let paris = Coord(2.3522, 48.8566)

    @Test func parisToWebMercator() throws {
        let t = try CoordinateTransformer.make(from: 4326, to: 3857)
        let p = try t.transform(paris)
        #expect(abs(p.x - 261845.706) < 0.01)
        #expect(abs(p.y - 6250564.350) < 0.01)
    }

    @Test func parisToLambert93AndBack() throws {
        let t = try CoordinateTransformer.make(from: 4326, to: 2154)
        let p = try t.transform(paris)
        #expect(abs(p.x - 652469.02) < 0.01)
        #expect(abs(p.y - 6862035.26) < 0.01)
        let back = try CoordinateTransformer.make(from: 2154, to: 4326).transform(p)
        #expect(abs(back.x - paris.x) < 1e-8 && abs(back.y - paris.y) < 1e-8)
    }

    @Test func crs84AndCRSNames() throws {
        let t = try CoordinateTransformer.make(from: CRSName.parse("CRS:84")!, to: CRSName.parse("urn:ogc:def:crs:EPSG::3857")!)
        let p = try t.transform(paris)
        #expect(abs(p.x - 261845.706) < 0.01)
    }

    @Test func geometryAndBBox() throws {
        let t = try CoordinateTransformer.make(from: 4326, to: 3857)
        let g = try t.transform(Geometry.polygon([[Coord(0, 0), Coord(1, 0), Coord(1, 1), Coord(0, 0)]]))
        guard case .polygon(let rs) = g else { Issue.record("not a polygon"); return }
        #expect(abs(rs[0][1].x - 111319.49) < 0.01)
        let b = try t.transform(BBox(minX: 2.0, minY: 48.5, maxX: 2.8, maxY: 49.1))
        #expect(abs(b.minX - 222638.98) < 0.01 && abs(b.maxY - 6291846.367) < 0.01)
        // Lambert-93 bbox of a lon/lat rectangle: densified edges bulge beyond the corners.
        let l = try CoordinateTransformer.make(from: 4326, to: 2154).transform(BBox(minX: -5, minY: 42, maxX: 8, maxY: 51))
        let corners = try CoordinateTransformer.make(from: 4326, to: 2154).transform([Coord(-5, 42), Coord(8, 42), Coord(-5, 51), Coord(8, 51)])
        #expect(l.minY < corners.map(\.y).min()!)
    }

    @Test func unknownCRSThrows() {
        #expect(throws: ProjectionError.self) { try CoordinateTransformer.make(from: 4326, to: 999999) }
    }

    @Test func concurrentUseIsSafe() async throws {
        let t = try CoordinateTransformer.make(from: 4326, to: 3857)
        try await withThrowingTaskGroup(of: Double.self) { group in
            for i in 0..<8 {
                group.addTask {
                    var cs = (0..<10_000).map { Coord(Double($0 % 360) - 180, Double(i)) }
                    try t.transform(inPlace: &cs)
                    return cs[181].x
                }
            }
            for try await x in group { #expect(abs(x - 111319.49) < 0.01) }
        }
    }

    @Test func axisOrderFacts() throws {
        #expect(try #require(CRSInfo.lookup(epsg: 4326)).isNorthFirst)
        #expect(try #require(CRSInfo.lookup(epsg: 4326)).units == .degrees)
        #expect(try #require(CRSInfo.lookup(epsg: 4326)).isGeographic)
        #expect(!(try #require(CRSInfo.lookup(epsg: 3857)).isNorthFirst))
        #expect(try #require(CRSInfo.lookup(epsg: 3857)).units == .metres)
        #expect(!(try #require(CRSInfo.lookup(epsg: 2154)).isNorthFirst))
        #expect(!(try #require(CRSInfo.lookup(CRSName.parse("CRS:84")!)).isNorthFirst))
        #expect(CRSInfo.lookup(epsg: 999999) == nil)
        let area = try #require(CRSInfo.lookup(epsg: 2154)?.areaOfUse)
        #expect(area.minX < -4 && area.maxX > 8 && area.minY < 42 && area.maxY > 51)
    }
}
