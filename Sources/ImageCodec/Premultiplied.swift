/// Compositing of images whose alpha is premultiplied (what the resampler and Cairo produce): RGB images are
/// opaque, RGBA ones carry colour already multiplied by alpha.
extension RasterImage {
    /// Draws `top` (RGB, or premultiplied RGBA) over this premultiplied RGBA image of the same size (source-over).
    public mutating func drawPremultiplied(_ top: RasterImage) {
        precondition(channels == 4 && top.width == width && top.height == height)
        let n = width * height
        if top.channels == 3 {
            for i in 0..<n {
                pixels[i * 4] = top.pixels[i * 3]; pixels[i * 4 + 1] = top.pixels[i * 3 + 1]
                pixels[i * 4 + 2] = top.pixels[i * 3 + 2]; pixels[i * 4 + 3] = 255
            }
            return
        }
        pixels.withUnsafeMutableBufferPointer { d in
            top.pixels.withUnsafeBufferPointer { s in
                for i in 0..<(n * 4) where i & 3 == 0 {
                    let sa = UInt32(s[i + 3])
                    if sa == 0 { continue }
                    if sa == 255 { for c in 0..<4 { d[i + c] = s[i + c] }; continue }
                    let k = 255 - sa
                    for c in 0..<4 { d[i + c] = UInt8(min(255, UInt32(s[i + c]) + (UInt32(d[i + c]) * k + 127) / 255)) }
                }
            }
        }
    }

    /// Straight-alpha RGBA of a premultiplied RGBA image; RGB images are returned as they are.
    public func unpremultiplied() -> RasterImage {
        guard channels == 4 else { return self }
        var p = pixels
        for i in stride(from: 0, to: p.count, by: 4) {
            let a = UInt32(p[i + 3])
            if a == 0 || a == 255 { continue }
            for c in 0..<3 { p[i + c] = UInt8(min(255, (UInt32(p[i + c]) * 255 + a / 2) / a)) }
        }
        return RasterImage(width: width, height: height, channels: 4, pixels: p)
    }

    /// RGB of a premultiplied RGBA image over an opaque colour; RGB images are returned as they are.
    public func flattenedPremultiplied(onto bg: (UInt8, UInt8, UInt8)) -> RasterImage {
        guard channels == 4 else { return self }
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * 3)
        // What the background adds under each alpha, per channel: no division per pixel.
        var under = [UInt8](repeating: 0, count: 3 * 256)
        for a in 0..<256 {
            for (c, b) in [bg.0, bg.1, bg.2].enumerated() { under[c * 256 + a] = UInt8((Int(b) * (255 - a) + 127) / 255) }
        }
        pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                under.withUnsafeBufferPointer { u in
                    for i in 0..<n {
                        let a = Int(s[i * 4 + 3])
                        d[i * 3] = s[i * 4] &+ min(u[a], 255 &- s[i * 4])
                        d[i * 3 + 1] = s[i * 4 + 1] &+ min(u[256 + a], 255 &- s[i * 4 + 1])
                        d[i * 3 + 2] = s[i * 4 + 2] &+ min(u[512 + a], 255 &- s[i * 4 + 2])
                    }
                }
            }
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: out)
    }
}
