import Testing
@testable import Ingest

@Suite struct CopyTextEncoderTests {
    func text(_ e: CopyTextEncoder) -> String { String(decoding: e.bytes, as: UTF8.self) }

    @Test func columnsAreTabSeparatedAndSpecialCharactersEscaped() {
        var e = CopyTextEncoder()
        e.append(ascii: "1")
        e.append(text: "a\tb\\c\nd\re")
        e.appendNull()
        e.endRow()
        e.append(ascii: "2")
        e.append(text: "Lyon 1er")
        e.append(text: "")
        e.endRow()
        #expect(text(e) == "1\ta\\tb\\\\c\\nd\\re\t\\N\n2\tLyon 1er\t\n")
        e.reset()
        #expect(e.count == 0)
    }

    @Test func byteaIsHexWithEscapedBackslash() {
        var e = CopyTextEncoder()
        [UInt8]([0x01, 0xAB]).withUnsafeBytes { e.append(bytea: $0) }
        #expect(text(e) == "\\\\x01AB")
    }

    /// POINT(1 2) in little-endian WKB.
    static let point: [UInt8] = [1, 1, 0, 0, 0] + doubleBytes(1) + doubleBytes(2)

    static func doubleBytes(_ d: Double) -> [UInt8] { withUnsafeBytes(of: d.bitPattern.littleEndian) { Array($0) } }
    static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02X", $0) }.joined() }

    @Test func ewkbCarriesTheSRID() {
        var e = CopyTextEncoder()
        Self.point.withUnsafeBytes { e.append(wkb: $0, srid: 4326, promoteToMulti: false) }
        // type 1 | 0x20000000 (SRID flag), then SRID 4326 (0x10E6), then the coordinates.
        #expect(text(e) == "0101000020E6100000" + Self.hex(Self.doubleBytes(1) + Self.doubleBytes(2)))
    }

    @Test func promotionWrapsTheGeometryAsTheOneMemberOfItsMultiType() {
        var e = CopyTextEncoder()
        Self.point.withUnsafeBytes { e.append(wkb: $0, srid: 2154, promoteToMulti: true) }
        // MULTIPOINT (4) with the SRID flag, SRID 2154 (0x086A), one member: the original WKB.
        #expect(text(e) == "01040000206A08000001000000" + Self.hex(Self.point))
    }

    @Test func threeDimensionalFlagIsKept() {
        var z: [UInt8] = [1] + withUnsafeBytes(of: UInt32(0x8000_0001).littleEndian) { Array($0) }
        z += Self.doubleBytes(1) + Self.doubleBytes(2) + Self.doubleBytes(3)
        var e = CopyTextEncoder()
        z.withUnsafeBytes { e.append(wkb: $0, srid: 4326, promoteToMulti: false) }
        #expect(text(e).hasPrefix("01010000A0E6100000"))
    }

    @Test func bigEndianOrTruncatedWKBBecomesNull() {
        var e = CopyTextEncoder()
        [UInt8]([0, 0, 0, 0, 1]).withUnsafeBytes { e.append(wkb: $0, srid: 4326, promoteToMulti: false) }
        #expect(text(e) == "\\N")
    }
}
