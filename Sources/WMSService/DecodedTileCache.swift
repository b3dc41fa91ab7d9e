import ImageCodec
import Synchronization
import TileStore

/// Decoded tiles, ready to be copied into a raster GetMap's source window: RGB, or RGBA with premultiplied alpha
/// when some pixel is not opaque. Keyed by the tile's ETag (slab version and place in the slab, so a replaced slab
/// is never answered from here) and bounded by bytes. A GetMap reads a few tiles that neighbouring and concurrent
/// GetMaps read too: decoding each once is most of what makes raster maps cheap.
public final class DecodedTileCache: Sendable {
    public static let shared = DecodedTileCache(maxBytes: 64 << 20)

    private let state: Mutex<BoundedLRU<RasterImage>>

    public init(maxBytes: Int) {
        state = Mutex(BoundedLRU(maxCost: maxBytes))
    }

    /// The decoded tile, from the cache or decoded now (blocking).
    public func image(of tile: TileData) throws -> RasterImage {
        if let hit = state.withLock({ $0.get(tile.etag) }) { return hit }
        let image = Self.windowReady(try ImageDecoder.decode(tile.bytes.readableBytesView))
        state.withLock { $0.put(tile.etag, image, cost: image.pixels.count + 128) }
        return image
    }

    public var statistics: (entries: Int, bytes: Int) {
        state.withLock { ($0.count, $0.totalCost) }
    }

    /// Gray becomes RGB; gray+alpha and RGBA become premultiplied RGBA, or RGB when every pixel is opaque.
    static func windowReady(_ img: RasterImage) -> RasterImage {
        let n = img.width * img.height
        switch img.channels {
        case 3: return img
        case 1:
            var p = [UInt8](repeating: 0, count: n * 3)
            for i in 0..<n { let v = img.pixels[i]; p[i * 3] = v; p[i * 3 + 1] = v; p[i * 3 + 2] = v }
            return RasterImage(width: img.width, height: img.height, channels: 3, pixels: p)
        default:
            let ch = img.channels
            let opaque = stride(from: ch - 1, to: img.pixels.count, by: ch).allSatisfy { img.pixels[$0] == 255 }
            var p = [UInt8](repeating: 0, count: n * (opaque ? 3 : 4))
            for i in 0..<n {
                let s = i * ch
                let r = img.pixels[s], g = ch == 2 ? r : img.pixels[s + 1], b = ch == 2 ? r : img.pixels[s + 2]
                if opaque {
                    p[i * 3] = r; p[i * 3 + 1] = g; p[i * 3 + 2] = b
                } else {
                    let a = UInt16(img.pixels[s + ch - 1])
                    p[i * 4] = UInt8((UInt16(r) * a + 127) / 255); p[i * 4 + 1] = UInt8((UInt16(g) * a + 127) / 255)
                    p[i * 4 + 2] = UInt8((UInt16(b) * a + 127) / 255); p[i * 4 + 3] = UInt8(a)
                }
            }
            return RasterImage(width: img.width, height: img.height, channels: opaque ? 3 : 4, pixels: p)
        }
    }
}
