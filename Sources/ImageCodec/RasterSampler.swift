/// Resampling kernels, as WMS-RASTER configurations name them (`interpolation`).
public enum Interpolation: String, Sendable {
    case nearest, bilinear, bicubic

    /// `NEAREST-NEIGHBOUR`, `LINEAR`, `BICUBIC` (Géoplateforme) or `nn`, `linear`, `bicubic` (ROK4); Lanczos
    /// kernels fall back to bicubic. Default bicubic.
    public static func parse(_ s: String?) -> Interpolation {
        switch (s ?? "").uppercased() {
        case "NEAREST-NEIGHBOUR", "NEAREST", "NN": .nearest
        case "LINEAR", "BILINEAR": .bilinear
        default: .bicubic
        }
    }
}

extension RasterImage {
    /// The value of channel `c` at image coordinates (x, y), pixel centres at +0.5, clamped at the edges.
    /// Straight alpha: colour channels are weighted by alpha for bilinear and bicubic when `alphaChannel` is set.
    public func sample(x: Double, y: Double, _ kernel: Interpolation, into out: inout [Double]) {
        switch kernel {
        case .nearest:
            let ix = Swift.min(Swift.max(Int(x.rounded(.down)), 0), width - 1)
            let iy = Swift.min(Swift.max(Int(y.rounded(.down)), 0), height - 1)
            let o = (iy * width + ix) * channels
            for c in 0..<channels { out[c] = Double(pixels[o + c]) }
        case .bilinear:
            convolve(x: x, y: y, radius: 1, into: &out) { t in Swift.max(0, 1 - abs(t)) }
        case .bicubic:
            convolve(x: x, y: y, radius: 2, into: &out) { t in
                // Catmull-Rom (a = -0.5)
                let a = -0.5, t = abs(t)
                if t <= 1 { return (a + 2) * t * t * t - (a + 3) * t * t + 1 }
                if t < 2 { return a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a }
                return 0
            }
        }
    }

    private func convolve(x: Double, y: Double, radius: Int, into out: inout [Double], _ w: (Double) -> Double) {
        let cx = x - 0.5, cy = y - 0.5
        let x0 = Int(cx.rounded(.down)), y0 = Int(cy.rounded(.down))
        let alpha = channels == 2 || channels == 4 ? channels - 1 : -1
        for c in 0..<channels { out[c] = 0 }
        var total = 0.0, alphaTotal = 0.0
        for j in (y0 - radius + 1)...(y0 + radius) {
            let wy = w(cy - Double(j))
            if wy == 0 { continue }
            let yy = Swift.min(Swift.max(j, 0), height - 1)
            for i in (x0 - radius + 1)...(x0 + radius) {
                let wx = w(cx - Double(i))
                if wx == 0 { continue }
                let xx = Swift.min(Swift.max(i, 0), width - 1)
                let o = (yy * width + xx) * channels
                let k = wx * wy
                total += k
                let a = alpha >= 0 ? Double(pixels[o + alpha]) / 255 : 1
                alphaTotal += k * a
                for c in 0..<channels {
                    out[c] += c == alpha ? k * Double(pixels[o + c]) : k * a * Double(pixels[o + c])
                }
            }
        }
        guard total != 0 else { return }
        for c in 0..<channels {
            if c == alpha { out[c] /= total }
            else if alpha >= 0 { out[c] = alphaTotal > 1e-9 ? out[c] / alphaTotal : 0 }
            else { out[c] /= total }
            out[c] = Swift.min(Swift.max(out[c], 0), 255)
        }
    }
}
