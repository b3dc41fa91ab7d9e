/// Where the centre of each output pixel falls in the source image, in source pixel coordinates: pixel (0, 0)
/// covers [0, 1) × [0, 1), so its centre is (0.5, 0.5). NaN marks a pixel with no source (outside the source's
/// data, or a point the projection cannot transform): it comes out transparent.
public enum PixelMapping: Sendable {
    /// x depends on the output column only, y on the output row only: the same CRS, or Mercator ↔ geographic.
    /// Resampled in two one-dimensional passes.
    case separable(xs: [Double], ys: [Double])
    /// Any other transformation: exact positions on a coarse grid, interpolated in between (as GDAL's approximate
    /// transformer does).
    case grid(PixelGrid)
}

extension PixelMapping {
    /// Marks the positions outside `x`×`y` (the source's data) as having no source, and returns the range of
    /// those left with the largest ratio of source to output pixels (how much a kernel widens); nil when none is
    /// left. Grid nodes are not marked: the resampler skips any position outside its source image.
    public mutating func clip(x: ClosedRange<Double>, y: ClosedRange<Double>) -> (x: ClosedRange<Double>, y: ClosedRange<Double>, widening: Double)? {
        func bounds(_ v: [Double], _ r: ClosedRange<Double>) -> ClosedRange<Double>? {
            let inside = v.filter { $0.isFinite }.map { min(max($0, r.lowerBound), r.upperBound) }
            guard let lo = inside.min(), let hi = inside.max() else { return nil }
            return lo...hi
        }
        func steepest(_ v: [Double]) -> Double {
            var m = 0.0
            for i in v.indices.dropFirst() where v[i].isFinite && v[i - 1].isFinite { m = max(m, abs(v[i] - v[i - 1])) }
            return m
        }
        switch self {
        case .separable(var xs, var ys):
            for i in xs.indices where !x.contains(xs[i]) { xs[i] = .nan }
            for j in ys.indices where !y.contains(ys[j]) { ys[j] = .nan }
            self = .separable(xs: xs, ys: ys)
            guard let bx = bounds(xs, x), let by = bounds(ys, y) else { return nil }
            return (bx, by, max(steepest(xs), steepest(ys)))
        case .grid(var g):
            g.inside = zip(g.xs, g.ys).allSatisfy { x.contains($0) && y.contains($1) }
            self = .grid(g)
            guard let bx = bounds(g.xs, x), let by = bounds(g.ys, y) else { return nil }
            let gw = g.nodeXs.count
            let dx: (Int) -> Double = { i in Double(max(1, g.nodeXs[i % gw] - g.nodeXs[i % gw - 1])) }
            let dy: (Int) -> Double = { i in Double(max(1, g.nodeYs[i / gw] - g.nodeYs[i / gw - 1])) }
            var w = 0.0
            if gw > 1 {
                for i in g.xs.indices where i % gw > 0 && g.xs[i].isFinite && g.xs[i - 1].isFinite {
                    w = max(w, abs(g.xs[i] - g.xs[i - 1]) / dx(i), abs(g.ys[i] - g.ys[i - 1]) / dx(i))
                }
            }
            for i in g.xs.indices where i >= gw && g.xs[i].isFinite && g.xs[i - gw].isFinite {
                w = max(w, abs(g.xs[i] - g.xs[i - gw]) / dy(i), abs(g.ys[i] - g.ys[i - gw]) / dy(i))
            }
            return (bx, by, w)
        }
    }

    /// Whether some output pixel has no source position (for a grid: unless `clip` found every node inside).
    public var hasGaps: Bool {
        switch self {
        case .separable(let xs, let ys): !(xs.allSatisfy(\.isFinite) && ys.allSatisfy(\.isFinite))
        case .grid(let g): !g.inside
        }
    }

    /// Moves every position by (-x, -y): positions in a window of the source that starts at (x, y).
    public mutating func offset(x: Double, y: Double) {
        switch self {
        case .separable(let xs, let ys): self = .separable(xs: xs.map { $0 - x }, ys: ys.map { $0 - y })
        case .grid(var g):
            g.xs = g.xs.map { $0 - x }; g.ys = g.ys.map { $0 - y }
            self = .grid(g)
        }
    }
}

/// Source positions of output pixel centres at grid nodes: every `step` pixels from 0, plus the last pixel.
public struct PixelGrid: Sendable {
    public let width: Int, height: Int, step: Int
    /// The output pixel index of each node column / row.
    public let nodeXs: [Int], nodeYs: [Int]
    /// Source x and y of each node, row by row (`nodeYs.count` rows of `nodeXs.count`).
    public var xs: [Double], ys: [Double]
    /// Set by `PixelMapping.clip` when every node lies in the source's data: then so does every pixel.
    public var inside = false

    public init(width: Int, height: Int, step: Int) {
        self.width = width; self.height = height; self.step = max(1, step)
        func nodes(_ n: Int) -> [Int] {
            var v = Array(stride(from: 0, to: n - 1, by: max(1, step)))
            v.append(n - 1)
            return v
        }
        nodeXs = nodes(width); nodeYs = nodes(height)
        xs = [Double](repeating: .nan, count: nodeXs.count * nodeYs.count)
        ys = xs
    }
}

/// Resampling of an 8-bit image onto another pixel grid with a nearest, bilinear (tent) or bicubic
/// (Catmull-Rom) kernel. When an output pixel covers more than one source pixel the kernel is widened by that
/// ratio (up to `maxWidening`) so that downsampled images are filtered, not aliased. Sources are RGB (3 channels)
/// or RGBA with premultiplied alpha (4); the output has the source's channels. I/O-free.
public enum Resampler {
    /// The widest a kernel grows when downsampling (a request much coarser than the pyramid's top level).
    public static let maxWidening = 4.0

    public static func resample(_ source: RasterImage, _ mapping: PixelMapping, width: Int, height: Int,
                                kernel: Interpolation) -> RasterImage {
        precondition(source.channels == 3 || source.channels == 4)
        switch mapping {
        case .separable(let xs, let ys):
            return separable(source, xs: xs, ys: ys, kernel: kernel)
        case .grid(let grid):
            return general(source, grid, kernel: kernel)
        }
    }

    // MARK: Kernels

    /// How far from its centre a kernel reaches, in source pixels, before widening.
    @inline(__always) public static func radius(_ k: Interpolation) -> Double {
        switch k { case .nearest: 0.5; case .bilinear: 1; case .bicubic: 2 }
    }

    @inline(__always) static func weight(_ k: Interpolation, _ t: Double) -> Double {
        let t = abs(t)
        switch k {
        case .nearest: return t < 0.5 ? 1 : 0
        case .bilinear: return max(0, 1 - t)
        case .bicubic:  // Catmull-Rom (a = -0.5)
            if t <= 1 { return (1.5 * t - 2.5) * t * t + 1 }
            if t < 2 { return ((-0.5 * t + 2.5) * t - 4) * t + 2 }
            return 0
        }
    }

    /// The taps of one output position along one axis: `start` (a source index) and `count` weights summing to 1,
    /// written at `weights[0..<count]`. Indices are clamped to the source, so taps past an edge weigh on the edge.
    @inline(__always)
    static func taps(at position: Double, widening: Double, size: Int, kernel: Interpolation,
                     into weights: UnsafeMutablePointer<Float>, capacity: Int) -> (start: Int, count: Int) {
        let c = position - 0.5
        if kernel == .nearest {
            weights[0] = 1
            return (min(max(Int(position.rounded(.down)), 0), size - 1), 1)
        }
        let f = min(max(widening, 1), maxWidening)
        let support = radius(kernel) * f
        let first = Int((c - support).rounded(.down)) + 1, last = Int((c + support).rounded(.down))
        let lo = min(max(first, 0), size - 1), hi = min(max(last, 0), size - 1)
        let count = min(hi - lo + 1, capacity)
        for i in 0..<count { weights[i] = 0 }
        var total = 0.0
        var k = first
        while k <= last {
            let w = weight(kernel, (c - Double(k)) / f)
            let slot = min(max(k, 0), size - 1) - lo
            if slot < count { weights[slot] += Float(w) }
            total += w
            k += 1
        }
        if total > 1e-12 {
            let inv = Float(1 / total)
            for i in 0..<count { weights[i] *= inv }
        } else {
            for i in 0..<count { weights[i] = 0 }
            weights[min(max(Int(position.rounded(.down)), lo), lo + count - 1) - lo] = 1
        }
        return (lo, count)
    }

    /// The most taps a kernel can have along one axis.
    static func tapCapacity(_ kernel: Interpolation) -> Int { Int(2 * radius(kernel) * maxWidening) + 3 }

    /// Every output position's taps along one axis, with a stride of `capacity` weights.
    struct AxisTaps {
        var start: [Int]
        var count: [Int]
        var weights: [Float]
        let capacity: Int

        init(_ positions: [Double], size: Int, kernel: Interpolation) {
            capacity = Resampler.tapCapacity(kernel)
            let n = positions.count
            start = [Int](repeating: 0, count: n)
            count = [Int](repeating: 0, count: n)
            weights = [Float](repeating: 0, count: n * capacity)
            let cap = capacity
            weights.withUnsafeMutableBufferPointer { w in
                for i in 0..<n where positions[i].isFinite {
                    // The ratio of source to output pixels here, from the neighbouring positions.
                    let prev = i > 0 && positions[i - 1].isFinite ? positions[i - 1] : positions[i]
                    let next = i + 1 < n && positions[i + 1].isFinite ? positions[i + 1] : positions[i]
                    let steps = (i > 0 && positions[i - 1].isFinite ? 1 : 0) + (i + 1 < n && positions[i + 1].isFinite ? 1 : 0)
                    let widening = steps > 0 ? abs(next - prev) / Double(steps) : 1
                    let t = Resampler.taps(at: positions[i], widening: widening, size: size, kernel: kernel,
                                           into: w.baseAddress! + i * cap, capacity: cap)
                    start[i] = t.start; count[i] = t.count
                }
            }
        }
    }

    // MARK: Separable: one vertical pass over whole source rows (vectorisable), then one horizontal pass

    static func separable(_ source: RasterImage, xs: [Double], ys: [Double], kernel: Interpolation) -> RasterImage {
        let width = xs.count, height = ys.count, ch = source.channels
        let cols = AxisTaps(xs, size: source.width, kernel: kernel)
        let rows = AxisTaps(ys, size: source.height, kernel: kernel)
        var out = [UInt8](repeating: 0, count: width * height * ch)
        // The source columns any output pixel reads (an output position with no source has no taps).
        var lo = source.width, hi = 0
        for i in 0..<width where cols.count[i] > 0 { lo = min(lo, cols.start[i]); hi = max(hi, cols.start[i] + cols.count[i]) }
        guard lo < hi else { return RasterImage(width: width, height: height, channels: ch, pixels: out) }
        let span = (hi - lo) * ch
        // One row of the vertical pass, in floats; padded so that a pixel's channels load as one SIMD4.
        var acc = [Float](repeating: 0, count: span + 4)
        source.pixels.withUnsafeBufferPointer { srcBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                acc.withUnsafeMutableBufferPointer { accBuf in
                    cols.weights.withUnsafeBufferPointer { cw in
                        rows.weights.withUnsafeBufferPointer { rw in
                            let src = srcBuf.baseAddress!, a = accBuf.baseAddress!, dst = outBuf.baseAddress!
                            let rowBytes = source.width * ch
                            for j in 0..<height where rows.count[j] > 0 {
                                let first = src + rows.start[j] * rowBytes + lo * ch
                                verticalPass(first, rowBytes: rowBytes, weights: rw.baseAddress! + j * rows.capacity,
                                             taps: rows.count[j], span: span, into: a)
                                let o = dst + j * width * ch
                                horizontalPass(a, lo: lo, cols: cols, weights: cw.baseAddress!, width: width, channels: ch, into: o)
                            }
                        }
                    }
                }
            }
        }
        return RasterImage(width: width, height: height, channels: ch, pixels: out)
    }

    /// acc[x] = Σ weights[t] · row t[x] for x < span, 16 bytes at a time with the sum kept in registers across
    /// the taps (one store per block, not one per tap).
    @inline(__always)
    private static func verticalPass(_ first: UnsafePointer<UInt8>, rowBytes: Int, weights w: UnsafePointer<Float>,
                                     taps: Int, span: Int, into a: UnsafeMutablePointer<Float>) {
        // Two taps per sweep: half the loads and stores of `a`.
        var t = 0
        if taps % 2 == 1 {
            let w0 = w[0]
            for x in 0..<span { a[x] = w0 * Float(first[x]) }
            t = 1
        } else {
            for x in 0..<span { a[x] = 0 }
        }
        while t + 1 < taps {
            let w0 = w[t], w1 = w[t + 1]
            let r0 = first + t * rowBytes, r1 = r0 + rowBytes
            for x in 0..<span { a[x] += w0 * Float(r0[x]) + w1 * Float(r1[x]) }
            t += 2
        }
    }

    /// Each output pixel a weighted sum of the taps' pixels, one SIMD4 per tap (RGB: three channels and one
    /// unused, read from the padding past the last pixel). Premultiplied RGBA keeps no colour above its alpha.
    @inline(__always)
    private static func horizontalPass(_ a: UnsafePointer<Float>, lo: Int, cols: AxisTaps, weights cw: UnsafePointer<Float>,
                                       width: Int, channels ch: Int, into o: UnsafeMutablePointer<UInt8>) {
        cols.start.withUnsafeBufferPointer { starts in
            cols.count.withUnsafeBufferPointer { counts in
                for i in 0..<width where counts[i] > 0 {
                    let wi = cw + i * cols.capacity
                    let base = a + (starts[i] - lo) * ch
                    var s = SIMD4<Float>()
                    for t in 0..<counts[i] { s += wi[t] * UnsafeRawPointer(base + t * ch).loadUnaligned(as: SIMD4<Float>.self) }
                    let v = bytes(s)
                    if ch == 3 {
                        o[i * 3] = v[0]; o[i * 3 + 1] = v[1]; o[i * 3 + 2] = v[2]
                    } else {
                        UnsafeMutableRawPointer(o + i * 4).storeBytes(of: pointwiseMin(v, SIMD4(repeating: v[3])), as: SIMD4<UInt8>.self)
                    }
                }
            }
        }
    }

    @inline(__always) private static func bytes(_ s: SIMD4<Float>) -> SIMD4<UInt8> {
        SIMD4(clamp(s[0]), clamp(s[1]), clamp(s[2]), clamp(s[3]))
    }

    // MARK: General: positions interpolated from the grid, a two-dimensional kernel per pixel

    static func general(_ source: RasterImage, _ grid: PixelGrid, kernel: Interpolation) -> RasterImage {
        let width = grid.width, height = grid.height, ch = source.channels
        var out = [UInt8](repeating: 0, count: width * height * ch)
        let cap = tapCapacity(kernel)
        let gw = grid.nodeXs.count
        var wx = [Float](repeating: 0, count: cap), wy = [Float](repeating: 0, count: cap)
        source.pixels.withUnsafeBufferPointer { srcBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                wx.withUnsafeMutableBufferPointer { wxBuf in
                    wy.withUnsafeMutableBufferPointer { wyBuf in
                        let src = srcBuf.baseAddress!, dst = outBuf.baseAddress!
                        let px = wxBuf.baseAddress!, py = wyBuf.baseAddress!
                        for cy in 0..<(grid.nodeYs.count - 1 == 0 ? 1 : grid.nodeYs.count - 1) {
                            let y0 = grid.nodeYs[cy], y1 = grid.nodeYs[min(cy + 1, grid.nodeYs.count - 1)]
                            for cx in 0..<(gw - 1 == 0 ? 1 : gw - 1) {
                                let x0 = grid.nodeXs[cx], x1 = grid.nodeXs[min(cx + 1, gw - 1)]
                                let n00 = cy * gw + cx, n10 = cy * gw + min(cx + 1, gw - 1)
                                let n01 = min(cy + 1, grid.nodeYs.count - 1) * gw + cx
                                let n11 = min(cy + 1, grid.nodeYs.count - 1) * gw + min(cx + 1, gw - 1)
                                let corners = [n00, n10, n01, n11]
                                guard corners.allSatisfy({ grid.xs[$0].isFinite && grid.ys[$0].isFinite }) else { continue }
                                let ax = grid.xs[n00], bx = grid.xs[n10], cx_ = grid.xs[n01], dx = grid.xs[n11]
                                let ay = grid.ys[n00], by = grid.ys[n10], cy_ = grid.ys[n01], dy = grid.ys[n11]
                                let spanX = Double(max(x1 - x0, 1)), spanY = Double(max(y1 - y0, 1))
                                // Source pixels per output pixel in this cell, along each source axis.
                                let wideX = max(abs(bx - ax) / spanX + abs(cx_ - ax) / spanY, 1)
                                let wideY = max(abs(by - ay) / spanX + abs(cy_ - ay) / spanY, 1)
                                let lastY = cy + 1 >= grid.nodeYs.count - 1 ? y1 : y1 - 1
                                let lastX = cx + 1 >= gw - 1 ? x1 : x1 - 1
                                for y in y0...lastY {
                                    let v = Double(y - y0) / spanY
                                    for x in x0...lastX {
                                        let u = Double(x - x0) / spanX
                                        let sx = (ax * (1 - u) + bx * u) * (1 - v) + (cx_ * (1 - u) + dx * u) * v
                                        let sy = (ay * (1 - u) + by * u) * (1 - v) + (cy_ * (1 - u) + dy * u) * v
                                        guard sx >= 0, sy >= 0, sx <= Double(source.width), sy <= Double(source.height) else { continue }
                                        let tx = taps(at: sx, widening: wideX, size: source.width, kernel: kernel, into: px, capacity: cap)
                                        let ty = taps(at: sy, widening: wideY, size: source.height, kernel: kernel, into: py, capacity: cap)
                                        var s: (Float, Float, Float, Float) = (0, 0, 0, 0)
                                        for j in 0..<ty.count {
                                            let row = src + ((ty.start + j) * source.width + tx.start) * ch
                                            var r: (Float, Float, Float, Float) = (0, 0, 0, 0)
                                            for i in 0..<tx.count {
                                                let w = px[i], p = row + i * ch
                                                r.0 += w * Float(p[0]); r.1 += w * Float(p[1]); r.2 += w * Float(p[2])
                                                if ch == 4 { r.3 += w * Float(p[3]) }
                                            }
                                            let w = py[j]
                                            s.0 += w * r.0; s.1 += w * r.1; s.2 += w * r.2; s.3 += w * r.3
                                        }
                                        let o = dst + (y * width + x) * ch
                                        if ch == 3 {
                                            o[0] = clamp(s.0); o[1] = clamp(s.1); o[2] = clamp(s.2)
                                        } else {
                                            let alpha = clamp(s.3)
                                            o[0] = min(clamp(s.0), alpha); o[1] = min(clamp(s.1), alpha)
                                            o[2] = min(clamp(s.2), alpha); o[3] = alpha
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return RasterImage(width: width, height: height, channels: ch, pixels: out)
    }

    /// The nearest byte value (no trap on any input: clamped first, converted without Swift's range check).
    /// Rounded to the nearest integer (halves up) and clamped to 0...255, without a libm call.
    @inline(__always) static func clamp(_ v: Float) -> UInt8 {
        UInt8(truncatingIfNeeded: Int32(min(max(v, 0), 255) + 0.5))
    }
}
