import CZlib
import CGDAL

/// A PNG writer: truecolour (gray, gray+alpha, RGB, RGBA) or paletted, compressed with zlib at a chosen level
/// (low levels are several times faster than libpng's default and cost little size on maps).
enum PNGWriter {
    /// PNG of an 8-bit image with 1–4 channels. Rows are filtered with the cheapest of None/Sub/Up (sum of
    /// absolute differences heuristic). `shouldStop` is asked every 64 rows: true throws `CancellationError` (a
    /// client that left does not wait for a 4096×4096 map to be filtered).
    static func encode(_ image: RasterImage, level: Int, shouldStop: () -> Bool = { false }) throws -> [UInt8] {
        let colourType: UInt8
        switch image.channels {
        case 1: colourType = 0
        case 2: colourType = 4
        case 3: colourType = 2
        case 4: colourType = 6
        default: throw ImageEncodeError.unsupported("PNG of \(image.channels) channels")
        }
        let bpp = image.channels
        let rowBytes = image.width * bpp
        var raw = [UInt8](repeating: 0, count: (rowBytes + 1) * image.height)
        let stopped = image.pixels.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    if y % 64 == 0 && shouldStop() { return true }
                    filterRow(src: src, row: y, rowBytes: rowBytes, bpp: bpp, dst: dst, at: y * (rowBytes + 1))
                }
                return false
            }
        }
        if stopped { throw CancellationError() }
        var out = signature
        out += chunk("IHDR", header(image.width, image.height, colourType))
        out += chunk("IDAT", try deflate(raw, level: level))
        out += chunk("IEND", [])
        return out
    }

    /// PNG of palette indices (one byte per pixel) with its palette (RGBA entries, at most 256).
    static func encodePaletted(width: Int, height: Int, indices: [UInt8], palette: [(UInt8, UInt8, UInt8, UInt8)],
                               level: Int) throws -> [UInt8] {
        guard !palette.isEmpty, palette.count <= 256, indices.count == width * height else {
            throw ImageEncodeError.unsupported("a palette of \(palette.count) colours")
        }
        var raw = [UInt8](repeating: 0, count: (width + 1) * height)
        indices.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    // Filter None: paletted data does not benefit from prediction.
                    let o = y * (width + 1)
                    dst[o] = 0
                    for x in 0..<width { dst[o + 1 + x] = src[y * width + x] }
                }
            }
        }
        var plte: [UInt8] = []; plte.reserveCapacity(palette.count * 3)
        for p in palette { plte += [p.0, p.1, p.2] }
        var trns = palette.map { $0.3 }
        while let last = trns.last, last == 255 { trns.removeLast() }
        var out = signature
        out += chunk("IHDR", header(width, height, 3))
        out += chunk("PLTE", plte)
        if !trns.isEmpty { out += chunk("tRNS", trns) }
        out += chunk("IDAT", try deflate(raw, level: level))
        out += chunk("IEND", [])
        return out
    }

    private static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    private static func header(_ w: Int, _ h: Int, _ colourType: UInt8) -> [UInt8] {
        be32(UInt32(w)) + be32(UInt32(h)) + [8, colourType, 0, 0, 0]
    }

    private static func filterRow(src: UnsafeBufferPointer<UInt8>, row y: Int, rowBytes: Int, bpp: Int,
                                  dst: UnsafeMutableBufferPointer<UInt8>, at o: Int) {
        let cur = src.baseAddress! + y * rowBytes
        let out = dst.baseAddress! + o + 1
        let n = min(bpp, rowBytes)
        let up: UnsafePointer<UInt8>? = y > 0 ? UnsafePointer(cur - rowBytes) : nil
        let chosen = up.map { cheapestFilter(cur, up: $0, rowBytes: rowBytes, bpp: n) } ?? firstRowFilter(cur, rowBytes: rowBytes, bpp: n)
        dst[o] = chosen
        switch (chosen, up) {
        case (1, _):
            for i in 0..<n { out[i] = cur[i] }
            for i in n..<max(n, rowBytes) { out[i] = cur[i] &- cur[i - n] }
        case (2, let up?):
            for i in 0..<rowBytes { out[i] = cur[i] &- up[i] }
        default:
            out.update(from: cur, count: rowBytes)
        }
    }

    /// The first row has no row above (Up would be None): None or Sub, the cheaper by the sum of absolute values.
    private static func firstRowFilter(_ cur: UnsafePointer<UInt8>, rowBytes: Int, bpp n: Int) -> UInt8 {
        var costNone = 0, costSub = 0
        for i in 0..<rowBytes {
            let v = cur[i], left: UInt8 = i >= n ? cur[i - n] : 0
            costNone &+= Int(Int8(bitPattern: v).magnitude)
            costSub &+= Int(Int8(bitPattern: v &- left).magnitude)
        }
        return costSub < costNone ? 1 : 0
    }

    /// None (0), Sub (1) or Up (2), the cheapest by the sum of absolute values of the filtered bytes.
    private static func cheapestFilter(_ cur: UnsafePointer<UInt8>, up: UnsafePointer<UInt8>, rowBytes: Int, bpp n: Int) -> UInt8 {
        var costNone = 0, costSub = 0, costUp = 0
        for i in 0..<n {
            let v = cur[i]
            costNone &+= Int(Int8(bitPattern: v).magnitude)
            costSub &+= Int(Int8(bitPattern: v).magnitude)
            costUp &+= Int(Int8(bitPattern: v &- up[i]).magnitude)
        }
        // The costs only choose the filter: on long rows they are summed over one 16-byte block in four, 16 bytes
        // at a time (|Int8(d)| is min(d, 256 - d) on the byte).
        var i = n
        if rowBytes - n >= 64 {
            var accNone = SIMD16<UInt16>(), accSub = SIMD16<UInt16>(), accUp = SIMD16<UInt16>()
            while i + 16 <= rowBytes {
                let v = UnsafeRawPointer(cur + i).loadUnaligned(as: SIMD16<UInt8>.self)
                let l = UnsafeRawPointer(cur + i - n).loadUnaligned(as: SIMD16<UInt8>.self)
                let u = UnsafeRawPointer(up + i).loadUnaligned(as: SIMD16<UInt8>.self)
                let ds = v &- l, du = v &- u
                accNone &+= SIMD16<UInt16>(truncatingIfNeeded: pointwiseMin(v, 0 &- v))
                accSub &+= SIMD16<UInt16>(truncatingIfNeeded: pointwiseMin(ds, 0 &- ds))
                accUp &+= SIMD16<UInt16>(truncatingIfNeeded: pointwiseMin(du, 0 &- du))
                i += 64
                if (i - n) % (64 * 256) == 0 {   // 256 blocks × 128 < 65536: flush before a lane can overflow
                    costNone &+= total(accNone); costSub &+= total(accSub); costUp &+= total(accUp)
                    accNone = .init(); accSub = .init(); accUp = .init()
                }
            }
            costNone &+= total(accNone); costSub &+= total(accSub); costUp &+= total(accUp)
        } else {
            while i < rowBytes {
                let v = cur[i]
                costNone &+= Int(Int8(bitPattern: v).magnitude)
                costSub &+= Int(Int8(bitPattern: v &- cur[i - n]).magnitude)
                costUp &+= Int(Int8(bitPattern: v &- up[i]).magnitude)
                i += 1
            }
        }
        if costSub <= costUp && costSub < costNone { return 1 }
        if costUp < costSub && costUp < costNone { return 2 }
        return 0
    }

    @inline(__always) private static func total(_ v: SIMD16<UInt16>) -> Int {
        Int(SIMD16<UInt32>(truncatingIfNeeded: v).wrappedSum())
    }

    /// A zlib stream (what IDAT holds) through GDAL's zlib/libdeflate binding.
    static func deflate(_ data: [UInt8], level: Int) throws -> [UInt8] {
        var outLen = 0
        let p = data.withUnsafeBytes { raw in
            CPLZLibDeflate(raw.baseAddress, raw.count, Int32(max(1, min(9, level))), nil, 0, &outLen)
        }
        guard let p else { throw ImageEncodeError.failed("zlib compression failed") }
        defer { VSIFree(p) }
        return Array(UnsafeRawBufferPointer(start: p, count: outLen))
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let t = Array(type.utf8)
        // zlib's CRC-32 (ISO 3309, as PNG chunks use): several times faster than a byte-at-a-time table.
        var crc = t.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        crc = data.withUnsafeBufferPointer { UInt32(crc32(UInt(crc), $0.baseAddress, UInt32($0.count))) }
        return be32(UInt32(data.count)) + t + data + be32(crc)
    }

    private static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
