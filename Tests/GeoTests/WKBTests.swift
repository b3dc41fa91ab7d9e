import Foundation
import Geo
import Testing

@Suite struct WKBTests {
    static let samples: [Geometry] = [
        .point(Coord(2.5, -48.25)),
        .lineString([Coord(0, 0), Coord(1, 1), Coord(2, 0.5)]),
        .polygon([[Coord(0, 0), Coord(10, 0), Coord(10, 10), Coord(0, 0)], [Coord(1, 1), Coord(2, 1), Coord(2, 2), Coord(1, 1)]]),
        .multiPoint([Coord(1, 2), Coord(3, 4)]),
        .multiLineString([[Coord(0, 0), Coord(1, 1)], [Coord(2, 2), Coord(3, 3)]]),
        .multiPolygon([[[Coord(0, 0), Coord(1, 0), Coord(1, 1), Coord(0, 0)]], [[Coord(5, 5), Coord(6, 5), Coord(6, 6), Coord(5, 5)]]]),
        .collection([.point(Coord(1, 1)), .lineString([Coord(0, 0), Coord(3, 3)])]),
    ]

    @Test(arguments: samples) func roundTrip(_ g: Geometry) throws {
        let wkb = WKB.encode(g)
        #expect(wkb[0] == 1)
        #expect(try WKB.decode(wkb) == g)
    }

    @Test func pointBytesAreISOLittleEndian() {
        let wkb = WKB.encode(.point(Coord(1, 2)))
        #expect(wkb.count == 21)
        #expect(Array(wkb[0..<5]) == [1, 1, 0, 0, 0])
        #expect(Array(wkb[5..<13]) == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])  // 1.0
    }

    @Test func bigEndianEWKBWithSRIDAndZ() throws {
        // EWKB, big-endian, LineString with Z and SRID 4326: 0x00 | 0xA0000002 | srid | n | x y z ...
        var b: [UInt8] = [0]
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { b.append(contentsOf: $0) } }
        func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.bigEndian) { b.append(contentsOf: $0) } }
        u32(0xA000_0002); u32(4326); u32(2)
        f64(1); f64(2); f64(100); f64(3); f64(4); f64(200)
        #expect(try WKB.decode(b) == .lineString([Coord(1, 2), Coord(3, 4)]))
    }

    @Test func isoZMPolygonDropsZM() throws {
        var b: [UInt8] = [1]
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { b.append(contentsOf: $0) } }
        func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { b.append(contentsOf: $0) } }
        u32(3003); u32(1); u32(4)
        for (x, y) in [(0.0, 0.0), (1, 0), (1, 1), (0, 0)] { f64(x); f64(y); f64(9); f64(7) }
        #expect(try WKB.decode(b) == .polygon([[Coord(0, 0), Coord(1, 0), Coord(1, 1), Coord(0, 0)]]))
    }

    @Test func truncatedAndHostileInputsThrow() {
        let wkb = WKB.encode(.lineString([Coord(0, 0), Coord(1, 1)]))
        #expect(throws: (any Error).self) { try WKB.decode(Array(wkb.dropLast(3))) }
        // A count claiming billions of points must not allocate: it throws.
        var hostile: [UInt8] = [1, 2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F]
        hostile += [UInt8](repeating: 0, count: 16)
        #expect(throws: (any Error).self) { try WKB.decode(hostile) }
        #expect(throws: (any Error).self) { try WKB.decode([1, 99, 0, 0, 0]) }
    }
}

extension Geometry: CustomTestStringConvertible {
    public var testDescription: String { "\(type.rawValue)" }
}
