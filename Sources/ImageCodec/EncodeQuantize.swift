/// Reduces an RGBA image to at most 256 colours for 8-bit paletted PNG.
///
/// Exact when the image has 256 colours or fewer (flat maps without antialiasing); otherwise a median cut over
/// a 5-5-5-3 bit (R, G, B, alpha) histogram, each pixel mapped to the palette entry of its histogram cell.
/// Fully transparent pixels always map to one transparent entry.
enum PaletteQuantizer {
    struct Result {
        var indices: [UInt8]
        var palette: [(UInt8, UInt8, UInt8, UInt8)]
    }

    static func quantize(_ image: RasterImage, maxColours: Int = 256) -> Result {
        let rgba = image.channels == 4 ? image : image.toRGBA()
        if let exact = exactPalette(rgba, maxColours: maxColours) { return exact }
        return medianCut(rgba, maxColours: maxColours)
    }

    /// The image's own colours as a palette (RGB or RGBA input), nil when it has more than `maxColours`.
    static func exactPalette(_ img: RasterImage, maxColours: Int = 256) -> Result? {
        guard img.channels == 3 || img.channels == 4 else { return nil }
        let ch = img.channels
        if Self.sampledColours(img, upTo: maxColours) > maxColours { return nil }
        var lookup: [UInt32: UInt8] = [:]
        var palette: [(UInt8, UInt8, UInt8, UInt8)] = []
        var indices = [UInt8](repeating: 0, count: img.width * img.height)
        var last: UInt32 = 0, lastIndex: UInt8 = 0, haveLast = false
        let ok = img.pixels.withUnsafeBufferPointer { p -> Bool in
            for i in 0..<(img.width * img.height) {
                let o = i * ch
                let a = ch == 4 ? p[o + 3] : 255
                let key = colourKey(p, o, alpha: a)
                if haveLast && key == last { indices[i] = lastIndex; continue }
                let idx: UInt8
                if let found = lookup[key] { idx = found } else {
                    if palette.count == maxColours { return false }
                    idx = UInt8(palette.count)
                    lookup[key] = idx
                    palette.append(a == 0 ? (0, 0, 0, 0) : (p[o], p[o + 1], p[o + 2], a))
                }
                indices[i] = idx; last = key; lastIndex = idx; haveLast = true
            }
            return true
        }
        return ok ? Result(indices: indices, palette: palette) : nil
    }

    /// One colour as a number, RGBA; every fully transparent pixel is the same colour (0).
    @inline(__always) private static func colourKey(_ p: UnsafeBufferPointer<UInt8>, _ o: Int, alpha a: UInt8) -> UInt32 {
        a == 0 ? 0 : UInt32(p[o]) << 24 | UInt32(p[o + 1]) << 16 | UInt32(p[o + 2]) << 8 | UInt32(a)
    }

    /// The distinct colours among about 1,000 pixels spread over the image, counted up to `limit + 1`: a
    /// photograph or a relief shows more than 256 there, and the exact palette is not tried on all its pixels.
    static func sampledColours(_ img: RasterImage, upTo limit: Int) -> Int {
        let n = img.width * img.height, ch = img.channels
        let step = max(1, n / 1024)
        var seen = Set<UInt32>(minimumCapacity: 2 * limit)
        img.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i < n && seen.count <= limit {
                let o = i * ch
                seen.insert(colourKey(p, o, alpha: ch == 4 ? p[o + 3] : 255))
                i += step
            }
        }
        return seen.count
    }

    private struct Cell {
        var key: Int
        var count: Int
        var sum: (Int, Int, Int, Int)
        var mean: (Int, Int, Int, Int) {
            (sum.0 / count, sum.1 / count, sum.2 / count, sum.3 / count)
        }
    }

    @inline(__always) private static func cellKey(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8) -> Int {
        Int(r >> 3) << 13 | Int(g >> 3) << 8 | Int(b >> 3) << 3 | Int(a >> 5)
    }

    private static func medianCut(_ img: RasterImage, maxColours: Int) -> Result {
        let n = img.width * img.height
        var cellOf = [Int32](repeating: -1, count: 1 << 18)
        var cells: [Cell] = []
        var keys = [Int32](repeating: -1, count: n)   // -1: fully transparent
        img.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let r = p[i * 4], g = p[i * 4 + 1], b = p[i * 4 + 2], a = p[i * 4 + 3]
                if a == 0 { continue }
                let k = cellKey(r, g, b, a)
                var c = Int(cellOf[k])
                if c < 0 {
                    c = cells.count
                    cellOf[k] = Int32(c)
                    cells.append(Cell(key: k, count: 0, sum: (0, 0, 0, 0)))
                }
                cells[c].count += 1
                cells[c].sum.0 += Int(r); cells[c].sum.1 += Int(g); cells[c].sum.2 += Int(b); cells[c].sum.3 += Int(a)
                keys[i] = Int32(c)
            }
        }
        let hasTransparent = keys.contains(-1)
        let budget = max(1, maxColours - (hasTransparent ? 1 : 0))

        // Boxes are ranges of a cell index array, split along their widest channel at the weighted median.
        var order = Array(cells.indices)
        var boxes: [(range: Range<Int>, score: Int, channel: Int)] = []
        func channel(_ c: Cell, _ ch: Int) -> Int {
            let m = c.mean
            return ch == 0 ? m.0 : ch == 1 ? m.1 : ch == 2 ? m.2 : m.3
        }
        func makeBox(_ box: Range<Int>) -> (range: Range<Int>, score: Int, channel: Int) {
            var lo = [255, 255, 255, 255], hi = [0, 0, 0, 0], count = 0
            for i in box {
                let c = cells[order[i]]
                count += c.count
                for ch in 0..<4 { let v = channel(c, ch); lo[ch] = min(lo[ch], v); hi[ch] = max(hi[ch], v) }
            }
            var best = 0, bestRange = -1
            for ch in 0..<4 where hi[ch] - lo[ch] > bestRange { bestRange = hi[ch] - lo[ch]; best = ch }
            // Weight by population so large areas get accurate colours.
            let score = box.count > 1 ? (bestRange + 1) * Int(Double(count).squareRoot() + 1) : -1
            return (box, score, best)
        }
        if !cells.isEmpty { boxes.append(makeBox(0..<cells.count)) }
        while boxes.count < budget {
            var pick = -1, pickScore = 0
            for (i, b) in boxes.enumerated() where b.score > pickScore { pick = i; pickScore = b.score }
            if pick < 0 { break }
            let box = boxes[pick].range, ch = boxes[pick].channel
            order[box].sort { channel(cells[$0], ch) < channel(cells[$1], ch) }
            let total = order[box].reduce(0) { $0 + cells[$1].count }
            var acc = 0, cut = box.lowerBound + 1
            for i in box {
                acc += cells[order[i]].count
                if acc * 2 >= total { cut = min(max(i + 1, box.lowerBound + 1), box.upperBound - 1); break }
            }
            boxes[pick] = makeBox(box.lowerBound..<cut)
            boxes.append(makeBox(cut..<box.upperBound))
        }

        var palette: [(UInt8, UInt8, UInt8, UInt8)] = []
        var entryOfCell = [UInt8](repeating: 0, count: cells.count)
        for (box, _, _) in boxes {
            var s = (0, 0, 0, 0), c = 0
            for i in box {
                let cell = cells[order[i]]
                s.0 += cell.sum.0; s.1 += cell.sum.1; s.2 += cell.sum.2; s.3 += cell.sum.3; c += cell.count
                entryOfCell[order[i]] = UInt8(palette.count)
            }
            palette.append((UInt8(s.0 / c), UInt8(s.1 / c), UInt8(s.2 / c), UInt8(s.3 / c)))
        }
        let transparentIndex = UInt8(palette.count)
        if hasTransparent || palette.isEmpty { palette.append((0, 0, 0, 0)) }
        var indices = [UInt8](repeating: 0, count: n)
        for i in 0..<n { indices[i] = keys[i] < 0 ? transparentIndex : entryOfCell[Int(keys[i])] }
        return Result(indices: indices, palette: palette)
    }
}

extension RasterImage {
    /// The same image as RGBA (gray expanded, opaque alpha added when missing).
    public func toRGBA() -> RasterImage {
        if channels == 4 { return self }
        var out = [UInt8](repeating: 255, count: width * height * 4)
        for i in 0..<(width * height) {
            switch channels {
            case 1: let v = pixels[i]; out[i * 4] = v; out[i * 4 + 1] = v; out[i * 4 + 2] = v
            case 2: let v = pixels[i * 2]; out[i * 4] = v; out[i * 4 + 1] = v; out[i * 4 + 2] = v; out[i * 4 + 3] = pixels[i * 2 + 1]
            default: out[i * 4] = pixels[i * 3]; out[i * 4 + 1] = pixels[i * 3 + 1]; out[i * 4 + 2] = pixels[i * 3 + 2]
            }
        }
        return RasterImage(width: width, height: height, channels: 4, pixels: out)
    }

    /// The image flattened onto an opaque background colour, as RGB (for JPEG).
    public func flattened(onto bg: (UInt8, UInt8, UInt8)) -> RasterImage {
        if channels == 3 { return self }
        let src = toRGBA()
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            let a = Int(src.pixels[i * 4 + 3])
            out[i * 3] = UInt8((Int(src.pixels[i * 4]) * a + Int(bg.0) * (255 - a) + 127) / 255)
            out[i * 3 + 1] = UInt8((Int(src.pixels[i * 4 + 1]) * a + Int(bg.1) * (255 - a) + 127) / 255)
            out[i * 3 + 2] = UInt8((Int(src.pixels[i * 4 + 2]) * a + Int(bg.2) * (255 - a) + 127) / 255)
        }
        return RasterImage(width: width, height: height, channels: 3, pixels: out)
    }
}
