extension ImageEncoder {
    /// A truecolour PNG (gray, gray+alpha, RGB or RGBA as the image's channels), never paletted: what ROK4
    /// `TIFF_PNG_UINT8` tiles hold.
    public static func truecolorPNG(_ image: RasterImage, level: Int = 6) throws -> [UInt8] {
        try PNGWriter.encode(image, level: level)
    }
}
