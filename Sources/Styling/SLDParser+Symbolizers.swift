import OGCCore
import SafeXML

extension SLDParser {
    mutating func polygonSymbolizer(_ e: XMLElement) -> PolygonSymbolizer {
        symbolizerCommon(e)
        var s = PolygonSymbolizer(fill: nil, stroke: nil)
        for c in e.children {
            switch c.name {
            case "Fill": s.fill = fill(c)
            case "Stroke": s.stroke = stroke(c)
            case "Geometry", "Name", "Description", "VendorOption": break
            default: unsupported(c, in: e)
            }
        }
        return s
    }

    mutating func lineSymbolizer(_ e: XMLElement) -> LineSymbolizer {
        symbolizerCommon(e)
        var s = LineSymbolizer(stroke: Stroke())
        for c in e.children {
            switch c.name {
            case "Stroke": s.stroke = stroke(c)
            case "Geometry", "Name", "Description", "VendorOption": break
            default: unsupported(c, in: e)
            }
        }
        return s
    }

    mutating func pointSymbolizer(_ e: XMLElement) -> PointSymbolizer? {
        symbolizerCommon(e)
        for c in e.children where !["Graphic", "Geometry", "Name", "Description", "VendorOption"].contains(c.name) {
            unsupported(c, in: e)
        }
        return PointSymbolizer(graphic: e.child("Graphic").map { graphic($0) } ?? Graphic())
    }

    mutating func textSymbolizer(_ e: XMLElement) -> TextSymbolizer? {
        symbolizerCommon(e)
        var t = TextSymbolizer(label: [])
        for c in e.children {
            switch c.name {
            case "Label": t.label = label(c)
            case "Font": t.font = font(c)
            case "Fill": let f = fill(c); t.fill = f.colour
            case "Halo":
                var h = Halo()
                if let r = c.child("Radius") { h.radius = numberValue(r) ?? 1 }
                if let f = c.child("Fill") { h.fill = fill(f).colour }
                t.halo = h
            case "LabelPlacement": t.placement = placement(c)
            case "Geometry", "Name", "Description": break
            case "VendorOption": warn("vendor option \(c.attribute("name") ?? "") of TextSymbolizer ignored")
            case "Priority": warn("TextSymbolizer Priority is not supported: labels are placed in feature order")
            default: unsupported(c, in: e)
            }
        }
        if t.label.isEmpty { warn("TextSymbolizer without a Label: ignored"); return nil }
        return t
    }

    // MARK: - Parts

    mutating func symbolizerCommon(_ e: XMLElement) {
        if let uom = e.attribute("uom"), !uom.hasSuffix("pixel") {
            warn("\(e.name) unit of measure \(uom) is not supported: sizes are read as pixels")
        }
        if e.child("Geometry") != nil {
            warn("\(e.name) Geometry is not supported: the layer's geometry column is drawn")
        }
    }

    mutating func fill(_ e: XMLElement) -> Fill {
        let p = parameters(e)
        var f = Fill(colour: Colour.grey)
        if let s = p["fill"] { f.colour = colour(s, parameter: "fill") ?? Colour.grey }
        if let s = p["fill-opacity"] { f.colour.opacity = opacity(s) }
        if let g = e.child("GraphicFill")?.child("Graphic") { f.graphicFill = graphic(g) }
        for c in e.children where !["CssParameter", "SvgParameter", "GraphicFill"].contains(c.name) { unsupported(c, in: e) }
        return f
    }

    mutating func stroke(_ e: XMLElement) -> Stroke {
        let p = parameters(e)
        var s = Stroke()
        if let v = p["stroke"] { s.colour = colour(v, parameter: "stroke") ?? .black }
        if let v = p["stroke-opacity"] { s.colour.opacity = opacity(v) }
        if let v = p["stroke-width"], let w = Double(v), w >= 0 { s.width = w }
        if let v = p["stroke-dasharray"] {
            let parts = v.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
            if !parts.isEmpty && parts.allSatisfy({ $0 >= 0 }) && parts.contains(where: { $0 > 0 }) { s.dashArray = parts }
        }
        if let v = p["stroke-dashoffset"], let d = Double(v) { s.dashOffset = d }
        if let v = p["stroke-linejoin"] {
            switch v.lowercased() {
            case "mitre", "miter": s.lineJoin = .miter
            case "round": s.lineJoin = .round
            case "bevel": s.lineJoin = .bevel
            default: warn("unknown stroke-linejoin \(v)")
            }
        }
        if let v = p["stroke-linecap"] {
            switch v.lowercased() {
            case "butt": s.lineCap = .butt
            case "round": s.lineCap = .round
            case "square": s.lineCap = .square
            default: warn("unknown stroke-linecap \(v)")
            }
        }
        for c in e.children where !["CssParameter", "SvgParameter"].contains(c.name) {
            if c.name == "GraphicStroke" || c.name == "GraphicFill" {
                warn("Stroke \(c.name) is not supported: the stroke is drawn as a plain line")
            } else { unsupported(c, in: e) }
        }
        return s
    }

    mutating func graphic(_ e: XMLElement) -> Graphic {
        var g = Graphic(mark: nil)
        for c in e.children {
            switch c.name {
            case "Mark": if g.mark == nil && g.external == nil { g.mark = mark(c) }
            case "ExternalGraphic": if g.mark == nil && g.external == nil { g.external = externalGraphic(c) }
            case "Opacity": g.opacity = max(0, min(1, numberValue(c) ?? 1))
            case "Size": g.size = numberValue(c).flatMap { $0 > 0 ? $0 : nil }
            case "Rotation": g.rotation = numberValue(c) ?? 0
            case "AnchorPoint":
                g.anchor = (c.child("AnchorPointX").flatMap { numberValue($0) } ?? 0.5,
                            c.child("AnchorPointY").flatMap { numberValue($0) } ?? 0.5)
            case "Displacement":
                g.displacement = (c.child("DisplacementX").flatMap { numberValue($0) } ?? 0,
                                  c.child("DisplacementY").flatMap { numberValue($0) } ?? 0)
            default: unsupported(c, in: e)
            }
        }
        if g.mark == nil && g.external == nil { g.mark = Mark() }
        return g
    }

    mutating func mark(_ e: XMLElement) -> Mark {
        var m = Mark(shape: .square, fill: nil, stroke: nil)
        let hasFill = e.child("Fill") != nil, hasStroke = e.child("Stroke") != nil
        for c in e.children {
            switch c.name {
            case "WellKnownName":
                let n = c.trimmedText.lowercased()
                if let s = MarkShape(rawValue: n) { m.shape = s } else {
                    warn("mark \(c.trimmedText) is not supported: drawn as a square")
                }
            case "Fill": m.fill = fill(c)
            case "Stroke": m.stroke = stroke(c)
            default: unsupported(c, in: e)
            }
        }
        // SLD defaults: a grey fill and a black stroke when neither is given.
        if !hasFill && !hasStroke { m.fill = Fill(); m.stroke = Stroke() }
        return m
    }

    mutating func externalGraphic(_ e: XMLElement) -> ExternalGraphic? {
        let href = e.child("OnlineResource").flatMap { $0.attribute("href") }?.trimmingCharacters(in: " \t\r\n") ?? ""
        let format = e.child("Format")?.trimmedText.lowercased() ?? "image/png"
        guard format == "image/png" else {
            warn("ExternalGraphic format \(format) is not supported (image/png only)"); return nil
        }
        var rel = href
        if rel.lowercased().hasPrefix("file:") { rel = String(rel.dropFirst(5)) }
        guard !rel.isEmpty, !rel.contains("://"), !rel.hasPrefix("/"), !rel.split(separator: "/").contains(".."),
              let dir = graphicsDirectory else {
            warn("ExternalGraphic \(href) is refused: only PNG files of the styles directory are read, never URLs")
            return nil
        }
        return ExternalGraphic(path: dir + (dir.hasSuffix("/") ? "" : "/") + rel, format: format)
    }

    mutating func label(_ e: XMLElement) -> [LabelPart] {
        var parts: [LabelPart] = []
        for c in e.children {
            switch c.name {
            case "PropertyName", "ValueReference": parts.append(.property(FilterPropertyName.strip(c.trimmedText)))
            case "Literal": parts.append(.literal(c.text))
            default: warn("label expression \(c.name) is not supported: ignored")
            }
        }
        let text = e.trimmedText
        if !text.isEmpty {
            if e.children.isEmpty { parts.append(.literal(text)) } else {
                // The parsed tree keeps an element's text apart from its children, so their order is lost.
                warn("Label text mixed with expressions is not supported: use ogc:Literal elements; the text is appended")
                parts.append(.literal(" " + text))
            }
        }
        return parts
    }

    mutating func font(_ e: XMLElement) -> Font {
        let p = parameters(e)
        var f = Font()
        if let v = p["font-family"] { f.family = v }
        if let v = p["font-size"], let s = Double(v), s > 0, s < 500 { f.size = s }
        if let v = p["font-weight"] { f.bold = v.lowercased() == "bold" || (Int(v) ?? 400) >= 600 }
        if let v = p["font-style"] { f.italic = ["italic", "oblique"].contains(v.lowercased()) }
        return f
    }

    mutating func placement(_ e: XMLElement) -> LabelPlacement {
        if let pp = e.child("PointPlacement") {
            let a = pp.child("AnchorPoint"), d = pp.child("Displacement")
            return .point(anchorX: a?.child("AnchorPointX").flatMap { numberValue($0) } ?? 0.5,
                          anchorY: a?.child("AnchorPointY").flatMap { numberValue($0) } ?? 0.5,
                          dx: d?.child("DisplacementX").flatMap { numberValue($0) } ?? 0,
                          dy: d?.child("DisplacementY").flatMap { numberValue($0) } ?? 0,
                          rotation: pp.child("Rotation").flatMap { numberValue($0) } ?? 0)
        }
        if let lp = e.child("LinePlacement") {
            for c in lp.children where c.name != "PerpendicularOffset" {
                warn("LinePlacement \(c.name) is not supported: ignored")
            }
            return .line(perpendicularOffset: lp.child("PerpendicularOffset").flatMap { numberValue($0) } ?? 0)
        }
        return .point(anchorX: 0.5, anchorY: 0.5, dx: 0, dy: 0, rotation: 0)
    }

    // MARK: - Values

    /// CssParameter (SLD 1.0) and SvgParameter (SE 1.1) values by name; only literal values are supported.
    mutating func parameters(_ e: XMLElement) -> [String: String] {
        var out: [String: String] = [:]
        for c in e.children where c.name == "CssParameter" || c.name == "SvgParameter" {
            guard let name = c.attribute("name") else { continue }
            if let v = literal(c, what: "parameter \(name)") { out[name] = v }
        }
        return out
    }

    /// The literal value of an expression element (text, or an ogc:Literal child); nil with a warning when it
    /// is computed from attributes or functions.
    mutating func literal(_ e: XMLElement, what: String) -> String? {
        if let dynamic = e.children.first(where: { $0.name != "Literal" }) {
            warn("\(what) computed with \(dynamic.name) is not supported: the default is used")
            return nil
        }
        let lit = e.children.map(\.text).joined() + e.text
        return lit.trimmingCharacters(in: " \t\r\n")
    }

    mutating func numberValue(_ e: XMLElement) -> Double? {
        guard let s = literal(e, what: e.name) else { return nil }
        guard let v = Double(s), v.isFinite else {
            if !s.isEmpty { warn("\(e.name) value '\(s.prefix(30))' is not a number") }
            return nil
        }
        return v
    }

    mutating func colour(_ s: String, parameter: String) -> Colour? {
        guard let c = Colour.parse(s) else { warn("\(parameter) colour '\(s.prefix(30))' is not #RRGGBB"); return nil }
        return c
    }

    func opacity(_ s: String) -> Double { max(0, min(1, Double(s) ?? 1)) }
}

/// Property names in SLD lose their namespace prefix, as in filters.
enum FilterPropertyName {
    static func strip(_ raw: String) -> String {
        let s = raw.trimmingCharacters(in: " \t\r\n")
        if let i = s.lastIndex(of: ":") { return String(s[s.index(after: i)...]) }
        return s
    }
}
