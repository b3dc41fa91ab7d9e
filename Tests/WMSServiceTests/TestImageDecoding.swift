import ImageCodec

/// Decodes PNG/JPEG/WebP bytes into RGBA, to check encoded pixels in tests.
enum TestImageDecoder {
    static func decode(_ bytes: [UInt8]) -> RasterImage? {
        (try? ImageDecoder.decode(bytes))?.toRGBA()
    }
}
