import CCairo

extension RasterImage {
    /// The pixels of a Cairo ARGB32 image surface (premultiplied, native-endian BGRA) as straight RGBA, or as
    /// RGB when `alpha` is false (for a surface painted opaque: the alpha channel would be 255 everywhere).
    /// Flushes the surface first. Returns nil for a surface that is not an ARGB32/RGB24 image surface.
    public init?(cairoSurface surface: OpaquePointer, alpha: Bool = true) {
        cairo_surface_flush(surface)
        let format = cairo_image_surface_get_format(surface)
        guard format == CAIRO_FORMAT_ARGB32 || format == CAIRO_FORMAT_RGB24,
              let data = cairo_image_surface_get_data(surface) else { return nil }
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        if !alpha {
            var out = [UInt8](repeating: 0, count: w * h * 3)
            out.withUnsafeMutableBufferPointer { dst in
                var o = 0
                for y in 0..<h {
                    let row = UnsafeRawPointer(data + y * stride)
                    for x in 0..<w {
                        let px = row.loadUnaligned(fromByteOffset: x * 4, as: UInt32.self)
                        dst[o] = UInt8(truncatingIfNeeded: px >> 16)
                        dst[o + 1] = UInt8(truncatingIfNeeded: px >> 8)
                        dst[o + 2] = UInt8(truncatingIfNeeded: px)
                        o += 3
                    }
                }
            }
            self.init(width: w, height: h, channels: 3, pixels: out)
            return
        }
        let opaque = format == CAIRO_FORMAT_RGB24
        var out = [UInt8](repeating: 0, count: w * h * 4)
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                let row = data + y * stride
                for x in 0..<w {
                    // Native-endian 32-bit ARGB: bytes B, G, R, A on little-endian machines.
                    let px = UnsafeRawPointer(row + x * 4).loadUnaligned(as: UInt32.self)
                    let a = opaque ? 255 : Int(px >> 24)
                    let r = Int((px >> 16) & 0xFF), g = Int((px >> 8) & 0xFF), b = Int(px & 0xFF)
                    let o = (y * w + x) * 4
                    if a == 255 {
                        dst[o] = UInt8(r); dst[o + 1] = UInt8(g); dst[o + 2] = UInt8(b); dst[o + 3] = 255
                    } else if a > 0 {
                        dst[o] = UInt8(min(255, (r * 255 + a / 2) / a))
                        dst[o + 1] = UInt8(min(255, (g * 255 + a / 2) / a))
                        dst[o + 2] = UInt8(min(255, (b * 255 + a / 2) / a))
                        dst[o + 3] = UInt8(a)
                    }
                }
            }
        }
        self.init(width: w, height: h, channels: 4, pixels: out)
    }
}
