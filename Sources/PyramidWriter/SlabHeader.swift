import TileStore

/// The fixed 2048-byte TIFF header of a ROK4 slab (§5 of the format note), written as ROK4's
/// `Rok4Image::write_header` does: raster slabs with 11–13 IFD entries, vector slabs with 4.
public enum SlabHeader {
    public static let size = 2048

    /// TIFF compression code, bits per sample and sample format of a raster format.
    public static func tiffCodes(_ format: TileFormat) -> (compression: UInt16, bits: UInt16, sampleFormat: UInt16)? {
        switch format {
        case .rawUInt8: (1, 8, 1)
        case .jpgUInt8, .jpg90UInt8: (7, 8, 1)
        case .pngUInt8: (8, 8, 1)          // whole PNG files in the tiles; the header says deflate, as ROK4 writes it
        case .lzwUInt8: (5, 8, 1)
        case .zipUInt8: (8, 8, 1)
        case .pkbUInt8: (32773, 8, 1)
        case .rawFloat32: (1, 32, 3)
        case .lzwFloat32: (5, 32, 3)
        case .zipFloat32: (8, 32, 3)
        case .pkbFloat32: (32773, 32, 3)
        case .pbfMVT: nil
        }
    }

    /// Photometric codes: gray and mask 1, rgb 2, ycbcr 6. JPEG slabs always say YCbCr.
    static func photometricCode(_ photometric: String, format: TileFormat) -> UInt16 {
        if format == .jpgUInt8 || format == .jpg90UInt8 { return 6 }
        switch photometric.lowercased() {
        case "rgb": return 2
        case "ycbcr": return 6
        case "palette": return 3
        default: return 1   // gray, mask
        }
    }

    /// The header of a raster slab of `tilesPerWidth × tilesPerHeight` tiles of `tileWidth × tileHeight` pixels.
    public static func raster(format: TileFormat, channels: Int, photometric: String, tilesPerWidth: Int, tilesPerHeight: Int,
                              tileWidth: Int, tileHeight: Int) -> [UInt8] {
        let codes = tiffCodes(format) ?? (1, 8, 1)
        let n = tilesPerWidth * tilesPerHeight
        let ph = photometricCode(photometric, format: format)
        var w = ByteWriter(capacity: size)
        w.bytes([0x49, 0x49]); w.u16(42); w.u32(16)
        // Bytes 8–15: the BitsPerSample list, four values, read when the tag's count is 3 or 4.
        for _ in 0..<4 { w.u16(codes.bits) }
        var entries: [(UInt16, UInt16, UInt32, UInt32)] = [
            (256, 4, 1, UInt32(tilesPerWidth * tileWidth)),
            (257, 4, 1, UInt32(tilesPerHeight * tileHeight)),
        ]
        switch channels {
        case 1: entries.append((258, 3, 1, UInt32(codes.bits)))
        case 2: entries.append((258, 3, 2, UInt32(codes.bits) | UInt32(codes.bits) << 16))   // both values inline
        default: entries.append((258, 3, UInt32(channels), 8))                             // the list at byte 8
        }
        entries += [
            (259, 3, 1, UInt32(codes.compression)),
            (262, 3, 1, UInt32(ph)),
            (277, 3, 1, UInt32(channels)),
            (322, 4, 1, UInt32(tileWidth)),
            (323, 4, 1, UInt32(tileHeight)),
            (324, 4, UInt32(n), UInt32(n == 1 ? size + 8 : size)),
            (325, 4, UInt32(n), UInt32(size + 4 * n)),
        ]
        if channels == 2 || channels == 4 { entries.append((338, 3, 1, 2)) }   // unassociated alpha
        entries.append((339, 3, 1, UInt32(codes.sampleFormat)))
        if ph == 6 { entries.append((530, 3, 2, 2 | 2 << 16)) }              // YCbCrSubSampling 2,2
        w.ifd(entries)
        return w.padded(to: size)
    }

    /// The header of a vector (`TIFF_PBF_MVT`) slab: four entries, no bits per sample.
    public static func vector(tilesPerWidth: Int, tilesPerHeight: Int) -> [UInt8] {
        let n = tilesPerWidth * tilesPerHeight
        var w = ByteWriter(capacity: size)
        w.bytes([0x49, 0x49]); w.u16(42); w.u32(16)
        for _ in 0..<4 { w.u16(0) }
        w.ifd([
            (256, 4, 1, 1),
            (257, 4, 1, 1),
            (324, 4, UInt32(n), UInt32(n == 1 ? size + 8 : size)),
            (325, 4, UInt32(n), UInt32(size + 4 * n)),
        ])
        return w.padded(to: size)
    }
}

struct ByteWriter {
    var out: [UInt8]
    init(capacity: Int) { out = []; out.reserveCapacity(capacity) }
    mutating func bytes(_ b: [UInt8]) { out += b }
    mutating func u16(_ v: UInt16) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
    mutating func u32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    mutating func ifd(_ entries: [(UInt16, UInt16, UInt32, UInt32)]) {
        u16(UInt16(entries.count))
        for (tag, type, count, value) in entries { u16(tag); u16(type); u32(count); u32(value) }
        u32(0)
    }
    func padded(to n: Int) -> [UInt8] { out + [UInt8](repeating: 0, count: max(0, n - out.count)) }
}
