import ImageCodec
import Testing

@Suite struct ImageEncoderTests {
    /// A 64×48 image: left half opaque red, right half half-transparent blue, a green gradient row.
    func sample() -> RasterImage {
        var img = RasterImage(width: 64, height: 48, channels: 4, fill: [0, 0, 0, 0])
        for y in 0..<48 {
            for x in 0..<64 {
                let o = (y * 64 + x) * 4
                if y == 10 {
                    img.pixels[o] = 0; img.pixels[o + 1] = UInt8(x * 4); img.pixels[o + 2] = 0; img.pixels[o + 3] = 255
                } else if x < 32 {
                    img.pixels[o] = 220; img.pixels[o + 1] = 20; img.pixels[o + 2] = 30; img.pixels[o + 3] = 255
                } else if y > 24 {
                    img.pixels[o] = 0; img.pixels[o + 1] = 0; img.pixels[o + 2] = 200; img.pixels[o + 3] = 128
                }
            }
        }
        return img
    }

    @Test func pngRoundTripsExactly() throws {
        let img = sample()
        let bytes = try ImageEncoder.encode(img, as: .png)
        #expect(Array(bytes.prefix(4)) == [137, 80, 78, 71])
        let back = try #require(decodedRGBA(bytes))
        #expect(back == img)
    }

    @Test func pngOfNoisyRGBRoundTripsExactly() throws {
        // Rows that favour each filter (None, Sub, Up) and widths that are not a multiple of 16 bytes.
        var seed: UInt64 = 42
        func next() -> UInt8 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: seed >> 33) }
        for width in [1, 5, 37, 300] {
            var img = RasterImage(width: width, height: 30, channels: 3, fill: [0, 0, 0])
            for y in 0..<30 {
                for x in 0..<width {
                    let o = (y * width + x) * 3
                    for c in 0..<3 {
                        img.pixels[o + c] = switch y % 3 {
                        case 0: next()                                 // noise: None
                        case 1: UInt8(truncatingIfNeeded: x * 7 + c)   // horizontal gradient: Sub
                        default: UInt8(truncatingIfNeeded: y * 5 + c)  // constant rows: Up
                        }
                    }
                }
            }
            let back = try #require(decodedRGBA(try ImageEncoder.encode(img, as: .png)))
            #expect(back == img.toRGBA(), "width \(width)")
        }
    }

    @Test func pngOfFewColoursIsPalettedAndExact() throws {
        // A flat map: 3 colours and antialiased edges between two of them (~200 colours in all).
        var img = RasterImage(width: 128, height: 64, channels: 3, fill: [254, 224, 144])
        for y in 0..<64 { for x in 0..<128 {
            let o = (y * 128 + x) * 3
            if x == y { img.pixels[o] = 255; img.pixels[o + 1] = 255; img.pixels[o + 2] = 255 }
            if x > 100 { img.pixels[o] = UInt8(x); img.pixels[o + 1] = 48; img.pixels[o + 2] = UInt8(31 + (y % 7)) }
        } }
        let bytes = try ImageEncoder.encode(img, as: .png)
        #expect(bytes[25] == 3, "colour type 3: paletted")
        #expect(try #require(decodedRGBA(bytes)) == img.toRGBA())
        // With an alpha channel too.
        var rgba = img.toRGBA()
        for i in 0..<64 { rgba.pixels[i * 4 + 3] = 0 }
        let b2 = try ImageEncoder.encode(rgba, as: .png)
        #expect(b2[25] == 3)
        let back = try #require(decodedRGBA(b2))
        #expect(back.pixel(10, 0).last == 0 && back.pixel(70, 0) == rgba.pixel(70, 0))
        // More than 256 colours: truecolour.
        var many = img
        for i in 0..<(128 * 64) { many.pixels[i * 3] = UInt8(i % 251); many.pixels[i * 3 + 1] = UInt8(i / 251 % 256) }
        let b3 = try ImageEncoder.encode(many, as: .png)
        #expect(b3[25] == 2, "colour type 2: RGB")
        #expect(try #require(decodedRGBA(b3)) == many.toRGBA())
    }

    @Test func pngOfRGBAndGray() throws {
        let rgb = RasterImage(width: 5, height: 3, channels: 3, fill: [10, 20, 30])
        let back = try #require(decodedRGBA(try ImageEncoder.encode(rgb, as: .png)))
        #expect(Array(back.pixel(4, 2)) == [10, 20, 30, 255])
        let gray = RasterImage(width: 5, height: 3, channels: 1, fill: [77])
        let g = try #require(decodedRGBA(try ImageEncoder.encode(gray, as: .png)))
        #expect(Array(g.pixel(0, 0)) == [77, 77, 77, 255])
    }

    @Test func palettedPNGIsExactForFewColours() throws {
        var img = sample()
        for y in 0..<64 where y == 10 { _ = y }
        // Remove the gradient row: 3 colours + transparent.
        for x in 0..<64 { let o = (10 * 64 + x) * 4; img.pixels[o] = 220; img.pixels[o + 1] = 20; img.pixels[o + 2] = 30; img.pixels[o + 3] = 255 }
        for x in 32..<64 { let o = (10 * 64 + x) * 4; img.pixels[o + 3] = 0; img.pixels[o] = 0; img.pixels[o + 1] = 0; img.pixels[o + 2] = 0 }
        let bytes = try ImageEncoder.encode(img, as: .png8)
        #expect(bytes[25] == 3, "colour type 3: paletted")
        let back = try #require(decodedRGBA(bytes))
        #expect(back == img)
    }

    @Test func palettedPNGApproximatesManyColours() throws {
        var img = RasterImage(width: 256, height: 256, channels: 4, fill: [0, 0, 0, 255])
        for y in 0..<256 { for x in 0..<256 {
            let o = (y * 256 + x) * 4
            img.pixels[o] = UInt8(x); img.pixels[o + 1] = UInt8(y); img.pixels[o + 2] = UInt8((x + y) / 2)
        } }
        img.pixels[3] = 0   // one transparent pixel
        let bytes = try ImageEncoder.encode(img, as: .png8)
        #expect(bytes[25] == 3)
        let back = try #require(decodedRGBA(bytes))
        #expect(back.pixel(0, 0).last == 0)
        var worst = 0
        for i in 1..<(256 * 256) {
            for c in 0..<3 { worst = max(worst, abs(Int(back.pixels[i * 4 + c]) - Int(img.pixels[i * 4 + c]))) }
            #expect(back.pixels[i * 4 + 3] == 255)
        }
        #expect(worst < 40)
    }

    @Test func jpegFlattensOntoBackground() throws {
        let bytes = try ImageEncoder.encode(sample(), as: .jpeg, options: .init(background: (255, 255, 255)))
        #expect(Array(bytes.prefix(2)) == [0xFF, 0xD8])
        let back = try #require(decodedRGBA(bytes))
        let red = back.pixel(8, 30), empty = back.pixel(60, 5)
        #expect(abs(Int(red[red.startIndex]) - 220) < 12 && red[red.startIndex + 1] < 40)
        #expect(empty.allSatisfy { $0 > 240 })
    }

    @Test func webpWhenAvailable() throws {
        guard ImageEncoder.availableFormats.contains(.webp) else { return }
        let bytes = try ImageEncoder.encode(sample(), as: .webp)
        #expect(String(decoding: bytes[8..<12], as: UTF8.self) == "WEBP")
        let back = try #require(decodedRGBA(bytes))
        #expect(back.width == 64 && back.height == 48)
    }
}

/// The pixels of encoded PNG/JPEG/WebP bytes, as RGBA.
func decodedRGBA(_ bytes: [UInt8]) -> RasterImage? {
    (try? ImageDecoder.decode(bytes))?.toRGBA()
}
