import ImageCodec
import Testing

@Suite struct ResamplerTests {
    /// A deterministic RGB image with gradients and noise.
    func image(_ w: Int, _ h: Int, channels: Int = 3) -> RasterImage {
        var seed: UInt32 = 12345
        var p = [UInt8](repeating: 0, count: w * h * channels)
        for y in 0..<h {
            for x in 0..<w {
                seed = seed &* 1_103_515_245 &+ 12345
                let o = (y * w + x) * channels
                p[o] = UInt8(x * 255 / max(1, w - 1)); p[o + 1] = UInt8(y * 255 / max(1, h - 1)); p[o + 2] = UInt8(seed >> 24)
                if channels == 4 { p[o + 3] = 255 }
            }
        }
        return RasterImage(width: w, height: h, channels: channels, pixels: p)
    }

    func centres(_ n: Int, scale: Double = 1, from: Double = 0) -> [Double] {
        (0..<n).map { from + (Double($0) + 0.5) * scale }
    }

    @Test(arguments: [Interpolation.nearest, .bilinear, .bicubic])
    func identityMappingGivesTheSourceBack(kernel: Interpolation) {
        let src = image(40, 30)
        let out = Resampler.resample(src, .separable(xs: centres(40), ys: centres(30)), width: 40, height: 30, kernel: kernel)
        #expect(out == src)
    }

    @Test func halvingAConstantImageKeepsItsColourAndAveragesStripes() {
        let flat = RasterImage(width: 64, height: 64, channels: 3, fill: [10, 120, 250])
        let out = Resampler.resample(flat, .separable(xs: centres(32, scale: 2), ys: centres(32, scale: 2)), width: 32, height: 32, kernel: .bicubic)
        #expect(out.pixels.allSatisfy { [10, 120, 250].contains($0) })
        // One-pixel black and white columns halved: a widened kernel averages them to grey, not to one of them.
        var stripes = RasterImage(width: 64, height: 8, channels: 3, fill: [0, 0, 0])
        for y in 0..<8 { for x in stride(from: 0, to: 64, by: 2) { for c in 0..<3 { stripes.pixels[(y * 64 + x) * 3 + c] = 255 } } }
        let half = Resampler.resample(stripes, .separable(xs: centres(32, scale: 2), ys: centres(4, scale: 2)), width: 32, height: 4, kernel: .bilinear)
        for x in 2..<30 { #expect(abs(Int(half.pixel(x, 2).first!) - 128) <= 2, "column \(x): \(half.pixel(x, 2))") }
    }

    @Test(arguments: [Interpolation.nearest, .bilinear, .bicubic])
    func aGridOfTheSameMappingGivesTheSameImage(kernel: Interpolation) {
        let src = image(100, 80)
        let xs = centres(50, scale: 1.7, from: 3), ys = centres(40, scale: 1.3, from: 5)
        var grid = PixelGrid(width: 50, height: 40, step: 16)
        for (j, ny) in grid.nodeYs.enumerated() {
            for (i, nx) in grid.nodeXs.enumerated() { grid.xs[j * grid.nodeXs.count + i] = xs[nx]; grid.ys[j * grid.nodeXs.count + i] = ys[ny] }
        }
        let a = Resampler.resample(src, .separable(xs: xs, ys: ys), width: 50, height: 40, kernel: kernel)
        let b = Resampler.resample(src, .grid(grid), width: 50, height: 40, kernel: kernel)
        let diff = zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }
        #expect(diff.max()! <= 2)
    }

    @Test func positionsWithoutSourceAreTransparentAndAlphaDoesNotDarkenColours() {
        // Left half opaque red, right half transparent (premultiplied zeros).
        var src = RasterImage(width: 20, height: 4, channels: 4, fill: [0, 0, 0, 0])
        for y in 0..<4 { for x in 0..<10 { src.pixels.replaceSubrange((y * 20 + x) * 4 ..< (y * 20 + x) * 4 + 4, with: [255, 0, 0, 255]) } }
        var xs = centres(20), ys = centres(4)
        xs[0] = .nan
        let out = Resampler.resample(src, .separable(xs: xs, ys: ys), width: 20, height: 4, kernel: .bicubic)
        #expect(Array(out.pixel(0, 1)) == [0, 0, 0, 0])
        #expect(Array(out.pixel(5, 1)) == [255, 0, 0, 255])
        #expect(Array(out.pixel(15, 1)) == [0, 0, 0, 0])
        // Half a pixel to the right, output pixel 9 falls between source pixels 9 (red) and 10 (transparent): partly
        // transparent, and once unpremultiplied still pure red.
        let shifted = Resampler.resample(src, .separable(xs: centres(20, from: 0.5), ys: ys), width: 20, height: 4, kernel: .bicubic)
        let edge = shifted.unpremultiplied().pixel(9, 1)
        #expect(edge[edge.startIndex + 3] > 0 && edge[edge.startIndex + 3] < 255)
        #expect(edge[edge.startIndex] >= 250 && edge[edge.startIndex + 1] <= 3)
    }

    @Test func premultipliedImagesFlattenAndCompose() {
        var under = RasterImage(width: 1, height: 1, channels: 4, pixels: [0, 0, 200, 200])
        under.drawPremultiplied(RasterImage(width: 1, height: 1, channels: 4, pixels: [100, 0, 0, 100]))
        // 100 + 200·(155/255) ≈ 222 of alpha; blue 200·155/255 ≈ 122.
        #expect(under.pixels == [100, 0, 122, 222])
        #expect(under.flattenedPremultiplied(onto: (255, 255, 255)).pixels == [133, 33, 155])
    }
}
