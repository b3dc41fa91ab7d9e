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
