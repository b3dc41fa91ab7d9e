import Testing
@testable import ImageCodec

/// A truecolour PNG stops being filtered when its request is abandoned (`shouldStop`), and is whole otherwise.
@Suite struct PNGEncodeTests {
    static let photo: RasterImage = {
        var px = [UInt8](repeating: 0, count: 512 * 512 * 3)
        for i in px.indices { px[i] = UInt8(truncatingIfNeeded: (UInt64(i) &* 2_654_435_761) >> 13) }
        return RasterImage(width: 512, height: 512, channels: 3, pixels: px)
    }()

    @Test func anAbandonedEncodingStops() {
        var asked = 0
        #expect(throws: CancellationError.self) {
            _ = try ImageEncoder.encode(Self.photo, as: .png, shouldStop: { asked += 1; return asked > 1 })
        }
        #expect(asked == 2, "asked once per 64 rows, stopped at the second")
    }

    @Test func anEncodingNobodyStopsIsAPNG() throws {
        var asked = 0
        let png = try ImageEncoder.encode(Self.photo, as: .png, shouldStop: { asked += 1; return false })
        #expect(asked == 512 / 64)
        #expect(Array(png.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10])
        let back = try ImageDecoder.decode(png)
        #expect(back.width == 512 && back.pixels == Self.photo.pixels)
    }
}
