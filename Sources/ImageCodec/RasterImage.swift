/// An image in memory: 8-bit channels, interleaved, rows top to bottom, no padding
/// (`pixels.count == width * height * channels`). Channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
/// (straight, not premultiplied, alpha).
public struct RasterImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels)
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    public init(width: Int, height: Int, channels: Int, fill: [UInt8]) {
        precondition(fill.count == channels)
        self.width = width; self.height = height; self.channels = channels
        if fill.allSatisfy({ $0 == fill[0] }) {
            pixels = [UInt8](repeating: fill[0], count: width * height * channels)
        } else {
            var p = [UInt8](repeating: 0, count: width * height * channels)
            for i in stride(from: 0, to: p.count, by: channels) { for c in 0..<channels { p[i + c] = fill[c] } }
            pixels = p
        }
    }

    /// The channel values of pixel (x, y).
    public func pixel(_ x: Int, _ y: Int) -> ArraySlice<UInt8> {
        let o = (y * width + x) * channels
        return pixels[o ..< o + channels]
    }
}

/// Output formats of rendered and resampled images.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png = "image/png"
    /// 8-bit paletted PNG (`image/png; mode=8bit`).
    case png8 = "image/png; mode=8bit"
    case jpeg = "image/jpeg"
    case webp = "image/webp"

    /// Parses a FORMAT parameter (case-insensitive, spaces and `png8` aliases tolerated).
    public static func parse(_ s: String) -> ImageFormat? {
        let n = String(s.lowercased().filter { $0 != " " })
        switch n {
        case "image/png", "png": return .png
        case "image/png;mode=8bit", "image/png8", "png8", "image/png;mode=8-bit": return .png8
        case "image/jpeg", "image/jpg", "jpeg", "jpg": return .jpeg
        case "image/webp", "webp": return .webp
        default: return nil
        }
    }

    public var mimeType: String { self == .png8 ? "image/png; mode=8bit" : rawValue }
}
