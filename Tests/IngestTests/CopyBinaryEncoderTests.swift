import Testing
@testable import Ingest

@Suite struct CopyBinaryEncoderTests {
    static func le(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func be32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(v).bigEndian) { Array($0) } }
    static func double(_ d: Double) -> [UInt8] { withUnsafeBytes(of: d.bitPattern.littleEndian) { Array($0) } }

    /// POINT(1 2) in little-endian WKB.
    static let point: [UInt8] = [1] + le(1) + double(1) + double(2)

    @Test func headerRowsAndTrailerFollowTheBinaryCopyLayout() {
        var e = CopyBinaryEncoder()
        e.appendHeader()
        e.beginRow(fields: 4)
        e.append(int64: 7)
        e.append(text: "Lyon")
        e.appendNull()
        e.append(double: 1.5)
        e.appendTrailer()
        let expected: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
            + [0, 4]
            + Self.be32(8) + [0, 0, 0, 0, 0, 0, 0, 7]
            + Self.be32(4) + Array("Lyon".utf8)
            + [0xFF, 0xFF, 0xFF, 0xFF]
            + Self.be32(8) + [0x3F, 0xF8, 0, 0, 0, 0, 0, 0]
            + [0xFF, 0xFF]
        #expect(e.bytes == expected)
        e.reset()
        #expect(e.count == 0)
    }

    @Test func smallIntegersBooleansAndJSONB() {
        var e = CopyBinaryEncoder()
        e.append(int16: -2)
        e.append(int32: 258)
        e.append(bool: true)
        Array("{}".utf8).withUnsafeBytes { e.append(jsonb: $0) }
        #expect(e.bytes == Self.be32(2) + [0xFF, 0xFE] + Self.be32(4) + [0, 0, 1, 2] + Self.be32(1) + [1] + Self.be32(3) + [1, 0x7B, 0x7D])
    }

    @Test func ewkbCarriesTheSRID() {
        var e = CopyBinaryEncoder()
        Self.point.withUnsafeBytes { e.append(wkb: $0, srid: 4326, promoteToMulti: false) }
        let ewkb: [UInt8] = [1] + Self.le(0x2000_0001) + Self.le(4326) + Self.double(1) + Self.double(2)
        #expect(e.bytes == Self.be32(ewkb.count) + ewkb)
    }

    @Test func promotionWrapsTheGeometryAsTheOneMemberOfItsMultiType() {
        var e = CopyBinaryEncoder()
        Self.point.withUnsafeBytes { e.append(wkb: $0, srid: 2154, promoteToMulti: true) }
        let ewkb: [UInt8] = [1] + Self.le(0x2000_0004) + Self.le(2154) + Self.le(1) + Self.point
        #expect(e.bytes == Self.be32(ewkb.count) + ewkb)
    }

    @Test func threeDimensionalFlagIsKept() {
        let z: [UInt8] = [1] + Self.le(0x8000_0001) + Self.double(1) + Self.double(2) + Self.double(3)
        var e = CopyBinaryEncoder()
        z.withUnsafeBytes { e.append(wkb: $0, srid: 4326, promoteToMulti: false) }
        #expect(Array(e.bytes[4..<9]) == [1] + Self.le(0xA000_0001))
    }

    @Test func bigEndianOrTruncatedWKBBecomesNull() {
        var e = CopyBinaryEncoder()
        [UInt8]([0, 0, 0, 0, 1]).withUnsafeBytes { e.append(wkb: $0, srid: 4326, promoteToMulti: false) }
        #expect(e.bytes == [0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func datesCountDaysFrom2000() {
        #expect(LayerReader.daysSince2000(year: 2000, month: 1, day: 1) == 0)
        #expect(LayerReader.daysSince2000(year: 2000, month: 3, day: 1) == 60)
        #expect(LayerReader.daysSince2000(year: 1999, month: 12, day: 31) == -1)
        #expect(LayerReader.daysSince2000(year: 2024, month: 7, day: 14) == 8961)
    }
}
