/// SE 1.1 `uom` of a symbolizer: its sizes (widths, dashes, graphic sizes, offsets, displacements, fonts) are
/// in pixels, or on the ground in metres or feet and then grow and shrink with the map's scale.
public enum SizeUnit: String, Sendable, Equatable {
    case pixel, metre, foot

    /// The unit of an SE uom URI (`http://www.opengeospatial.org/se/units/metre`, …); nil when unknown.
    public init?(uri: String) {
        let last = uri.trimmingCharacters(in: " \t\r\n").split(separator: "/").last.map { String($0).lowercased() } ?? ""
        switch last {
        case "pixel": self = .pixel
        case "metre", "meter": self = .metre
        case "foot", "feet": self = .foot
        default: return nil
        }
    }

    /// Metres in one unit; nil for pixels.
    var metres: Double? {
        switch self {
        case .pixel: nil
        case .metre: 1
        case .foot: 0.3048
        }
    }

    /// Pixels per unit on a map of `metresPerPixel` ground metres per pixel.
    public func pixels(metresPerPixel: Double) -> Double {
        guard let m = metres, metresPerPixel > 0 else { return 1 }
        return m / metresPerPixel
    }
}

extension Symbolizer {
    /// The same symbolizer with every size in pixels, for a map of `metresPerPixel` ground metres per pixel.
    /// Symbolizers already in pixels are returned as they are.
    public func inPixels(metresPerPixel: Double) -> Symbolizer {
        switch self {
        case .polygon(var p):
            let k = p.uom.pixels(metresPerPixel: metresPerPixel)
            guard k != 1 else { return self }
            p.fill = p.fill.map { $0.scaled(k) }
            p.stroke = p.stroke.map { $0.scaled(k) }
            p.graphicMargin = GraphicMargin(top: p.graphicMargin.top * k, right: p.graphicMargin.right * k,
                                            bottom: p.graphicMargin.bottom * k, left: p.graphicMargin.left * k)
            p.uom = .pixel
            return .polygon(p)
        case .line(var l):
            let k = l.uom.pixels(metresPerPixel: metresPerPixel)
            guard k != 1 else { return self }
            l.stroke = l.stroke.scaled(k)
            l.perpendicularOffset *= k
            l.uom = .pixel
            return .line(l)
        case .point(var p):
            let k = p.uom.pixels(metresPerPixel: metresPerPixel)
            guard k != 1 else { return self }
            p.graphic = p.graphic.scaled(k)
            p.uom = .pixel
            return .point(p)
        case .text(var t):
            let k = t.uom.pixels(metresPerPixel: metresPerPixel)
            guard k != 1 else { return self }
            t.font.size *= k
            t.halo?.radius *= k
            switch t.placement {
            case .point(let ax, let ay, let dx, let dy, let r): t.placement = .point(anchorX: ax, anchorY: ay, dx: dx * k, dy: dy * k, rotation: r)
            case .line(let o): t.placement = .line(perpendicularOffset: o * k)
            }
            t.uom = .pixel
            return .text(t)
        }
    }
}

extension Stroke {
    func scaled(_ k: Double) -> Stroke {
        var s = self
        s.width *= k
        s.dashArray = dashArray?.map { $0 * k }
        s.dashOffset *= k
        if var g = graphicStroke {
            g.graphic = g.graphic.scaled(k)
            g.gap *= k; g.initialGap *= k
            s.graphicStroke = g
        }
        return s
    }
}

extension Fill {
    func scaled(_ k: Double) -> Fill {
        var f = self
        f.graphicFill = graphicFill?.scaled(k)
        return f
    }
}

extension Graphic {
    func scaled(_ k: Double) -> Graphic {
        var g = self
        // A graphic without a size keeps its own (the mark's default, the image's pixels) in pixels.
        g.size = size.map { $0 * k }
        g.displacement = (displacement.x * k, displacement.y * k)
        if var m = mark {
            m.stroke = m.stroke.map { $0.scaled(k) }
            g.mark = m
        }
        return g
    }
}
