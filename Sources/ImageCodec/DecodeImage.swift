import CGDAL
#if canImport(Glibc)
import Glibc
#endif

public enum ImageDecodeError: Error, CustomStringConvertible {
    case failed(String)
    public var description: String {
        switch self { case .failed(let m): "image decoding failed: \(m)" }
    }
}

/// Decodes encoded tiles (PNG, JPEG, or any raster GDAL reads) into 8-bit interleaved pixels, through a
/// unique `/vsimem/` file. Blocking: call it off the event loops.
public enum ImageDecoder {
    private static let registered: Bool = {
        GDALAllRegister()
        return true
    }()

    /// The pixels of an encoded image. Paletted images come out as RGB (RGBA with a transparent entry).
    public static func decode(_ bytes: some Collection<UInt8>) throws -> RasterImage {
        _ = registered
        let count = bytes.count
        guard count > 0, let mem = VSIMalloc(count) else { throw ImageDecodeError.failed("empty input") }
        let dst = mem.bindMemory(to: UInt8.self, capacity: count)
        var i = 0
        for b in bytes { dst[i] = b; i += 1 }
        let path = "/vsimem/passerelle-decode-\(UInt64.random(in: 0 ... .max))"
        // GDAL owns the buffer from here (bTakeOwnership = TRUE) and frees it on unlink.
        guard let f = VSIFileFromMemBuffer(path, dst, vsi_l_offset(count), 1) else {
            VSIFree(mem)
            throw ImageDecodeError.failed("cannot create \(path)")
        }
        VSIFCloseL(f)
        defer { VSIUnlink(path) }
        guard let ds = GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else {
            throw ImageDecodeError.failed(String(cString: CPLGetLastErrorMsg()))
        }
        defer { GDALClose(ds) }
        let w = Int(GDALGetRasterXSize(ds)), h = Int(GDALGetRasterYSize(ds))
        let bands = Int(GDALGetRasterCount(ds))
        guard w > 0, h > 0, (1...4).contains(bands) else { throw ImageDecodeError.failed("unsupported raster (\(bands) bands)") }
        if bands == 1, let ct = GDALGetRasterColorTable(GDALGetRasterBand(ds, 1)) {
            return try expandPalette(ds, table: ct, width: w, height: h)
        }
        var pixels = [UInt8](repeating: 0, count: w * h * bands)
        var bandMap = (1...bands).map { Int32($0) }
        let err = pixels.withUnsafeMutableBytes { raw in
            bandMap.withUnsafeMutableBufferPointer { bm in
                GDALDatasetRasterIO(ds, GF_Read, 0, 0, Int32(w), Int32(h), raw.baseAddress, Int32(w), Int32(h), GDT_Byte,
                                    Int32(bands), bm.baseAddress, Int32(bands), Int32(w * bands), 1)
            }
        }
        guard err == CE_None else { throw ImageDecodeError.failed(String(cString: CPLGetLastErrorMsg())) }
        return RasterImage(width: w, height: h, channels: bands, pixels: pixels)
    }

    private static func expandPalette(_ ds: GDALDatasetH, table: GDALColorTableH, width w: Int, height h: Int) throws -> RasterImage {
        var idx = [UInt8](repeating: 0, count: w * h)
        let err = idx.withUnsafeMutableBytes { raw in
            GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, Int32(w), Int32(h), raw.baseAddress, Int32(w), Int32(h), GDT_Byte, 0, 0)
        }
        guard err == CE_None else { throw ImageDecodeError.failed(String(cString: CPLGetLastErrorMsg())) }
        let n = Int(GDALGetColorEntryCount(table))
        var lut = [[UInt8]](repeating: [0, 0, 0, 0], count: 256)
        var alpha = false
        for i in 0..<min(n, 256) {
            guard let e = GDALGetColorEntry(table, Int32(i))?.pointee else { continue }
            lut[i] = [UInt8(clamping: e.c1), UInt8(clamping: e.c2), UInt8(clamping: e.c3), UInt8(clamping: e.c4)]
            if e.c4 < 255 { alpha = true }
        }
        let ch = alpha ? 4 : 3
        var px = [UInt8](); px.reserveCapacity(w * h * ch)
        for v in idx { px.append(contentsOf: lut[Int(v)].prefix(ch)) }
        return RasterImage(width: w, height: h, channels: ch, pixels: px)
    }
}
