import CGDAL
#if canImport(Glibc)
import Glibc
#endif

/// JPEG and WebP through GDAL: the pixels go into a MEM dataset, `GDALCreateCopy` writes to a unique
/// `/vsimem/` file, and the bytes are taken back from it.
enum GDALEncoder {
    private static let registered: Bool = {
        GDALAllRegister()
        return true
    }()

    static func isAvailable(_ driver: String) -> Bool {
        _ = registered
        return GDALGetDriverByName(driver) != nil
    }

    static func encode(_ image: RasterImage, driver name: String, options: [String]) throws -> [UInt8] {
        _ = registered
        guard let mem = GDALGetDriverByName("MEM"), let driver = GDALGetDriverByName(name) else {
            throw ImageEncodeError.unsupported("GDAL has no \(name) driver")
        }
        guard let ds = GDALCreate(mem, "", Int32(image.width), Int32(image.height), Int32(image.channels), GDT_Byte, nil) else {
            throw ImageEncodeError.failed("cannot create an in-memory raster")
        }
        defer { GDALClose(ds) }
        var bandMap = (1...image.channels).map { Int32($0) }
        var pixels = image.pixels
        let err = pixels.withUnsafeMutableBytes { raw in
            bandMap.withUnsafeMutableBufferPointer { bm in
                GDALDatasetRasterIO(ds, GF_Write, 0, 0, Int32(image.width), Int32(image.height), raw.baseAddress,
                                    Int32(image.width), Int32(image.height), GDT_Byte, Int32(image.channels), bm.baseAddress,
                                    Int32(image.channels), Int32(image.width * image.channels), 1)
            }
        }
        guard err == CE_None else { throw ImageEncodeError.failed("cannot write pixels: \(String(cString: CPLGetLastErrorMsg()))") }
        if image.channels == 4 || image.channels == 2 {
            GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, Int32(image.channels)), GCI_AlphaBand)
        }
        let path = "/vsimem/passerelle-encode-\(UInt64.random(in: 0 ... .max)).\(name.lowercased())"
        // A NULL-terminated list of C strings (cpl_string.h is not in the shim).
        var opts: [UnsafeMutablePointer<CChar>?] = options.map { strdup($0) } + [nil]
        defer { for p in opts { free(p) } }
        let copied = opts.withUnsafeMutableBufferPointer { GDALCreateCopy(driver, path, ds, 0, $0.baseAddress, nil, nil) }
        guard let out = copied else {
            VSIUnlink(path)
            throw ImageEncodeError.failed("\(name) encoding failed: \(String(cString: CPLGetLastErrorMsg()))")
        }
        GDALClose(out)
        defer { VSIUnlink(path) }
        var length: vsi_l_offset = 0
        guard let buf = VSIGetMemFileBuffer(path, &length, 0) else {
            throw ImageEncodeError.failed("\(name) encoding produced no file")
        }
        return Array(UnsafeBufferPointer(start: buf, count: Int(length)))
    }
}
