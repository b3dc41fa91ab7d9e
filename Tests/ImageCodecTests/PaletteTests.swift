import Testing
@testable import ImageCodec

/// PNG output is paletted when an image has 256 colours or fewer (flat maps), truecolour otherwise (photographs,
/// reliefs), which a sample of the pixels tells before every pixel is looked at.
@Suite struct PaletteTests {
    /// `colours` distinct RGB colours scattered over a 256×256 image.
    static func image(colours: Int) -> RasterImage {
        var px = [UInt8](repeating: 0, count: 256 * 256 * 3)
        for i in 0..<(256 * 256) {
            let c = i < colours ? i : Int((UInt64(i) &* 2_654_435_761) >> 7) % colours
            px[i * 3] = UInt8(c & 0xFF); px[i * 3 + 1] = UInt8((c >> 8) & 0xFF); px[i * 3 + 2] = 7
        }
        return RasterImage(width: 256, height: 256, channels: 3, pixels: px)
    }

    @Test func aFlatMapGetsItsExactPalette() throws {
        let img = Self.image(colours: 200)
        let exact = try #require(PaletteQuantizer.exactPalette(img))
        #expect(exact.palette.count == 200)
        // Every pixel's index gives its colour back.
        for i in stride(from: 0, to: 256 * 256, by: 997) {
            let p = exact.palette[Int(exact.indices[i])]
            #expect([p.0, p.1, p.2] == Array(img.pixels[i * 3 ..< i * 3 + 3]))
        }
    }

    @Test func aPhotographIsRecognisedFromASample() {
        let img = Self.image(colours: 4000)
        #expect(PaletteQuantizer.sampledColours(img, upTo: 256) > 256)
        #expect(PaletteQuantizer.exactPalette(img) == nil)
        // 257 colours: the sample may see fewer, the full pass still refuses.
        #expect(PaletteQuantizer.exactPalette(Self.image(colours: 257)) == nil)
    }
}
