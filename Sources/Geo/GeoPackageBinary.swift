import OGCCore

/// The GeoPackage geometry blob (GPKG 1.x §2.1.3): a header (magic "GP", version, flags, srs_id, optional
/// envelope) followed by standard WKB.
public enum GeoPackageBinary {
    public struct Header: Sendable, Equatable {
        public var srid: Int32
        public var isEmpty: Bool
        /// The envelope from the header (x/y part only), when present.
        public var envelope: BBox?
        /// Where the WKB starts in the blob.
        public var wkbOffset: Int
    }

    public struct DecodeError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { "invalid GeoPackage geometry: \(message)" }
    }

    /// Reads the header of a blob.
    public static func header(_ blob: UnsafeRawBufferPointer) throws(DecodeError) -> Header {
        guard blob.count >= 8, blob[0] == 0x47, blob[1] == 0x50 else { throw DecodeError(message: "no GP magic") }
        let flags = blob[3]
        guard flags & 0x20 == 0 else { throw DecodeError(message: "extended GeoPackage geometry types are not supported") }
        let little = flags & 1 == 1
        let envCode = Int((flags >> 1) & 0x07)
        let doubles: Int
        switch envCode {
        case 0: doubles = 0
        case 1: doubles = 4
        case 2, 3: doubles = 6
        case 4: doubles = 8
        default: throw DecodeError(message: "bad envelope code \(envCode)")
        }
        let wkbOffset = 8 + doubles * 8
        guard blob.count >= wkbOffset else { throw DecodeError(message: "truncated header") }
        let rawSRID = blob.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        let srid = little ? Int32(littleEndian: rawSRID) : Int32(bigEndian: rawSRID)
        func d(_ i: Int) -> Double {
            let v = blob.loadUnaligned(fromByteOffset: 8 + 8 * i, as: UInt64.self)
            return Double(bitPattern: little ? UInt64(littleEndian: v) : UInt64(bigEndian: v))
        }
        let env = doubles > 0 ? BBox(minX: d(0), minY: d(2), maxX: d(1), maxY: d(3)) : nil
        return Header(srid: srid, isEmpty: flags & 0x10 != 0, envelope: env, wkbOffset: wkbOffset)
    }

    /// The WKB part of a blob.
    public static func wkb(_ blob: UnsafeRawBufferPointer) throws(DecodeError) -> (header: Header, wkb: UnsafeRawBufferPointer) {
        let h = try header(blob)
        return (h, UnsafeRawBufferPointer(rebasing: blob[h.wkbOffset...]))
    }

    /// Decodes a blob into a geometry (nil for an empty geometry).
    public static func decode(_ blob: [UInt8]) throws -> (srid: Int32, geometry: Geometry?) {
        try blob.withUnsafeBytes { buf in
            let (h, w) = try wkb(buf)
            if h.isEmpty && w.isEmpty { return (h.srid, nil) }
            return (h.srid, try WKB.decode(w))
        }
    }
}
