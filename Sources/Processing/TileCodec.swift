import CGDAL
import Foundation
import ImageCodec
import TileStore

/// Encodes and decodes the tiles of a raster pyramid format (8-bit formats: JPEG, PNG, deflate, raw).
struct TileCodec: Sendable {
    let format: TileFormat
    let channels: Int
    let width: Int
    let height: Int

    static let supported: [TileFormat] = [.jpgUInt8, .jpg90UInt8, .pngUInt8, .zipUInt8, .rawUInt8, .zipFloat32, .rawFloat32]

    /// FLOAT32 tiles: little-endian float32 samples, deflated (zlib) or raw.
    func encodeFloat(_ v: [Float]) throws -> [UInt8] {
        let bytes = v.withUnsafeBytes { Array($0) }   // x86/arm: little-endian already
        return format == .zipFloat32 ? try Self.deflate(bytes) : bytes
    }

    func decodeFloat(_ b: [UInt8]) throws -> [Float] {
        let n = width * height * channels
        let raw = format == .zipFloat32 ? try Self.inflate(b, expected: 4 * n) : b
        guard raw.count == 4 * n else { throw ProcessingError.invalid("a FLOAT32 tile holds \(raw.count) bytes, not \(4 * n)") }
        var out = [Float](repeating: 0, count: n)
        out.withUnsafeMutableBytes { d in raw.withUnsafeBytes { d.copyMemory(from: $0) } }
        return out
    }

    func encode(_ pixels: [UInt8]) throws -> [UInt8] {
        let img = RasterImage(width: width, height: height, channels: channels, pixels: pixels)
        switch format {
        case .jpgUInt8, .jpg90UInt8:
            return try ImageEncoder.encode(img, as: .jpeg,
                                           options: ImageEncoder.Options(jpegQuality: format == .jpgUInt8 ? 75 : 90))
        case .pngUInt8:
            return try ImageEncoder.truecolorPNG(img, level: 6)
        case .zipUInt8:
            return try Self.deflate(pixels)
        case .rawUInt8:
            return pixels
        default:
            throw ProcessingError.invalid("format \(format.rawValue) is not written by pyramid raster")
        }
    }

    func decode(_ bytes: [UInt8]) throws -> [UInt8] {
        let n = width * height * channels
        switch format {
        case .zipUInt8:
            let p = try Self.inflate(bytes, expected: n)
            guard p.count == n else { throw ProcessingError.invalid("a deflate tile holds \(p.count) bytes, not \(n)") }
            return p
        case .rawUInt8:
            guard bytes.count == n else { throw ProcessingError.invalid("a raw tile holds \(bytes.count) bytes, not \(n)") }
            return bytes
        default:
            let img = try ImageDecoder.decode(bytes)
            guard img.width == width, img.height == height else { throw ProcessingError.invalid("a tile of \(img.width)x\(img.height)") }
            if img.channels == channels { return img.pixels }
            // A JPEG decoder may give gray for gray tiles; widen/narrow to the pyramid's channels.
            var out = [UInt8](repeating: 255, count: n)
            for p in 0..<(width * height) {
                for c in 0..<channels { out[p * channels + c] = img.pixels[p * img.channels + min(c, img.channels - 1)] }
            }
            return out
        }
    }

    static func deflate(_ data: [UInt8], level: Int = 6) throws -> [UInt8] {
        _ = GDAL.registered
        var outSize = 0
        let out = data.withUnsafeBytes { CPLZLibDeflate($0.baseAddress, $0.count, Int32(level), nil, 0, &outSize) }
        guard let out else { throw ProcessingError.invalid("deflate failed") }
        defer { VSIFree(out) }
        return Array(UnsafeRawBufferPointer(start: out, count: outSize))
    }

    static func inflate(_ data: [UInt8], expected: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expected)
        var got = 0
        let ok = data.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                CPLZLibInflate(src.baseAddress, src.count, dst.baseAddress, dst.count, &got) != nil
            }
        }
        guard ok else { throw ProcessingError.invalid("inflate failed") }
        return Array(out[0..<got])
    }
}
