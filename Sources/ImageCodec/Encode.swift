/// Encoding of rendered or resampled images into the WMS/WMTS output formats.
public enum ImageEncoder {
    public struct Options: Sendable {
        /// zlib level of PNG output (1 fastest … 9 smallest). Maps and photographs compress well at low levels:
        /// with libdeflate, level 1 is 15–20% faster than 2 on a 256×256 map or relief and no larger.
        public var pngLevel: Int = 1
        public var jpegQuality: Int = 85
        public var webpQuality: Int = 85
        /// What transparent pixels become in formats without alpha (JPEG).
        public var background: (UInt8, UInt8, UInt8) = (255, 255, 255)

        public init(pngLevel: Int = 1, jpegQuality: Int = 85, webpQuality: Int = 85,
                    background: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
            self.pngLevel = pngLevel; self.jpegQuality = jpegQuality; self.webpQuality = webpQuality
            self.background = background
        }
    }

    /// The formats this build can write (WebP only when GDAL has its driver).
    public static var availableFormats: [ImageFormat] {
        ImageFormat.allCases.filter { $0 != .webp || GDALEncoder.isAvailable("WEBP") }
    }

    /// Encodes `image` (1–4 channels, straight alpha) as `format`. `shouldStop` (a request whose client left) is
    /// asked while a large truecolour PNG is filtered; true throws `CancellationError`.
    public static func encode(_ image: RasterImage, as format: ImageFormat, options: Options = Options(),
                              shouldStop: () -> Bool = { false }) throws -> [UInt8] {
        guard image.width > 0, image.height > 0 else { throw ImageEncodeError.unsupported("an empty image") }
        switch format {
        case .png:
            // An image of 256 colours or fewer (flat maps, most tiles at large scales) is written paletted: the
            // same pixels, a third of the bytes to filter and compress.
            if image.width * image.height >= 4096, let exact = PaletteQuantizer.exactPalette(image) {
                return try PNGWriter.encodePaletted(width: image.width, height: image.height, indices: exact.indices,
                                                    palette: exact.palette, level: options.pngLevel)
            }
            return try PNGWriter.encode(image, level: options.pngLevel, shouldStop: shouldStop)
        case .png8:
            let q = PaletteQuantizer.quantize(image)
            return try PNGWriter.encodePaletted(width: image.width, height: image.height, indices: q.indices,
                                                palette: q.palette, level: options.pngLevel)
        case .jpeg:
            let rgb = image.channels == 1 ? image : image.flattened(onto: options.background)
            return try GDALEncoder.encode(rgb, driver: "JPEG", options: ["QUALITY=\(max(1, min(100, options.jpegQuality)))"])
        case .webp:
            let img = image.channels == 3 || image.channels == 4 ? image : image.toRGBA()
            return try GDALEncoder.encode(img, driver: "WEBP", options: ["QUALITY=\(max(1, min(100, options.webpQuality)))"])
        }
    }
}

public enum ImageEncodeError: Error, CustomStringConvertible {
    case unsupported(String)
    case failed(String)

    public var description: String {
        switch self {
        case .unsupported(let s): "cannot encode \(s)"
        case .failed(let s): s
        }
    }
}
