import CGDAL
import ImageCodec

/// Decodes PNG/JPEG/WebP bytes with GDAL into RGBA, to check encoded pixels in tests.
enum TestImageDecoder {
    private static let registered: Bool = { GDALAllRegister(); return true }()

    static func decode(_ bytes: [UInt8]) -> RasterImage? {
        _ = registered
        let path = "/vsimem/styling-test-\(UInt64.random(in: 0 ... .max))"
        guard let buf = VSIMalloc(bytes.count) else { return nil }
        bytes.withUnsafeBytes { buf.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        guard let f = VSIFileFromMemBuffer(path, buf.assumingMemoryBound(to: GByte.self), vsi_l_offset(bytes.count), 1) else { return nil }
        VSIFCloseL(f)
        defer { VSIUnlink(path) }
        guard let ds = GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else { return nil }
        defer { GDALClose(ds) }
        let w = Int(GDALGetRasterXSize(ds)), h = Int(GDALGetRasterYSize(ds)), n = Int(GDALGetRasterCount(ds))
        var out = [UInt8](repeating: 255, count: w * h * 4)
        let band1 = GDALGetRasterBand(ds, 1)
        if n == 1, let ct = GDALGetRasterColorTable(band1) {
            var idx = [UInt8](repeating: 0, count: w * h)
            _ = idx.withUnsafeMutableBytes { GDALRasterIO(band1, GF_Read, 0, 0, Int32(w), Int32(h), $0.baseAddress, Int32(w), Int32(h), GDT_Byte, 0, 0) }
            for i in 0..<(w * h) {
                let e = GDALGetColorEntry(ct, Int32(idx[i]))!.pointee
                out[i * 4] = UInt8(e.c1); out[i * 4 + 1] = UInt8(e.c2); out[i * 4 + 2] = UInt8(e.c3); out[i * 4 + 3] = UInt8(e.c4)
            }
            return RasterImage(width: w, height: h, channels: 4, pixels: out)
        }
        for b in 0..<n {
            var plane = [UInt8](repeating: 0, count: w * h)
            _ = plane.withUnsafeMutableBytes {
                GDALRasterIO(GDALGetRasterBand(ds, Int32(b + 1)), GF_Read, 0, 0, Int32(w), Int32(h), $0.baseAddress, Int32(w), Int32(h), GDT_Byte, 0, 0)
            }
            // gray → RGB; gray+alpha → RGB + A; RGB; RGBA
            let targets: [Int] = switch (n, b) {
            case (1, _): [0, 1, 2]
            case (2, 0): [0, 1, 2]
            case (2, _): [3]
            default: [b]
            }
            for i in 0..<(w * h) { for t in targets { out[i * 4 + t] = plane[i] } }
        }
        return RasterImage(width: w, height: h, channels: 4, pixels: out)
    }
}
