/// Rows in PostgreSQL's `COPY … FROM STDIN (FORMAT text)` format, appended to a byte buffer: tab-separated
/// columns, `\N` for NULL, backslash escapes for `\`, tab, newline and carriage return, one row per line.
/// Geometries go as hex EWKB, which PostGIS's geometry input reads directly (as ogr2ogr's COPY does).
///
/// postgres-nio 1.33 drives COPY in text format only; the text form costs the server a parse of each value,
/// which the benchmark (Benchmarks/import.sh) shows to be below the cost of reading the source.
public struct CopyTextEncoder: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var columnsInRow = 0

    public init(capacity: Int = 1 << 20) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }

    public mutating func reset() { bytes.removeAll(keepingCapacity: true); columnsInRow = 0 }

    private mutating func separate() {
        if columnsInRow > 0 { bytes.append(0x09) }
        columnsInRow += 1
    }

    public mutating func appendNull() { separate(); bytes.append(0x5C); bytes.append(0x4E) }

    /// A value as text, escaped: runs without a special byte are copied whole.
    public mutating func append(text: UnsafeBufferPointer<UInt8>) {
        separate()
        guard let base = text.baseAddress else { return }
        var runStart = 0
        for i in 0..<text.count {
            let escaped: UInt8
            switch base[i] {
            case 0x5C: escaped = 0x5C
            case 0x09: escaped = 0x74
            case 0x0A: escaped = 0x6E
            case 0x0D: escaped = 0x72
            default: continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
            bytes.append(0x5C); bytes.append(escaped)
            runStart = i + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: text.count - runStart))
    }

    public mutating func append(text: String) {
        var s = text
        s.withUTF8 { append(text: $0) }
    }

    /// A value known to need no escape (numbers, ISO dates).
    public mutating func append(ascii: String) {
        separate()
        var s = ascii
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// `bytea` in hex form (`\x0102…`, the backslash escaped for COPY).
    public mutating func append(bytea: UnsafeRawBufferPointer) {
        separate()
        bytes.append(0x5C); bytes.append(0x5C); bytes.append(0x78)
        appendHex(bytea)
    }

    /// A geometry as hex EWKB from little-endian OGC WKB (2D, or 3D with the 0x80000000 flag as GDAL writes it
    /// in its "old OGC" variant): the SRID flag and the SRID are inserted after the type; with `promoteToMulti`
    /// a single geometry is wrapped as the one member of its Multi* type.
    public mutating func append(wkb: UnsafeRawBufferPointer, srid: Int32, promoteToMulti: Bool) {
        separate()
        guard wkb.count >= 5, wkb[0] == 1 else { bytes.append(0x5C); bytes.append(0x4E); return }  // not NDR WKB: NULL
        let type = wkb.loadUnaligned(fromByteOffset: 1, as: UInt32.self)
        let flags = type & 0xF000_0000
        let base = type & 0x0FFF_FFFF
        var header: [UInt8] = [1]
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        if promoteToMulti, (1...3).contains(base) {
            u32((base + 3) | flags | 0x2000_0000)
            withUnsafeBytes(of: srid.littleEndian) { header.append(contentsOf: $0) }
            u32(1)
            header.withUnsafeBytes { appendHex($0) }
            appendHex(wkb)
        } else {
            u32(type | 0x2000_0000)
            withUnsafeBytes(of: srid.littleEndian) { header.append(contentsOf: $0) }
            header.withUnsafeBytes { appendHex($0) }
            appendHex(UnsafeRawBufferPointer(rebasing: wkb[5...]))
        }
    }

    public mutating func endRow() { bytes.append(0x0A); columnsInRow = 0 }

    private static let hexDigits: StaticString = "0123456789ABCDEF"

    private mutating func appendHex(_ raw: UnsafeRawBufferPointer) {
        guard let src = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let n = raw.count
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: n * 2))
        let digits = Self.hexDigits.utf8Start
        bytes.withUnsafeMutableBufferPointer { out in
            let dst = out.baseAddress! + start
            for i in 0..<n {
                let b = src[i]
                dst[2 * i] = digits[Int(b >> 4)]
                dst[2 * i + 1] = digits[Int(b & 0x0F)]
            }
        }
    }
}
