import Foundation
import OGCCore
import SafeXML

extension SLDParser {
    mutating func polygonSymbolizer(_ e: XMLElement) -> PolygonSymbolizer {
        var s = PolygonSymbolizer(fill: nil, stroke: nil, uom: symbolizerCommon(e))
        var distance: (x: Double, y: Double)?
        for c in e.children {
            switch c.name {
            case "Fill": s.fill = fill(c)
            case "Stroke": s.stroke = stroke(c)
            case "Geometry", "Name", "Description": break
            case "VendorOption": polygonVendorOption(c, of: e, into: &s, distance: &distance)
            default: unsupported(c, in: e)
            }
        }
        // QGIS's point pattern: one graphic per distance.x × distance.y cell, centred in it.
        if let d = distance, let g = s.fill?.graphicFill {
            let size = g.size ?? 6
            let mx = max(0, d.x - size) / 2, my = max(0, d.y - size) / 2
            s.graphicMargin = GraphicMargin(top: my, right: mx, bottom: my, left: mx)
        }
        return s
    }

    /// GeoServer's `graphic-margin` (1, 2 or 4 numbers, as CSS margins), and QGIS's `distance` ("dx,dy"
    /// between the points of a point pattern fill, written next to its GraphicFill).
    mutating func polygonVendorOption(_ c: XMLElement, of parentElement: XMLElement, into s: inout PolygonSymbolizer,
                                      distance: inout (x: Double, y: Double)?) {
        let numbers = c.trimmedText.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }.filter { $0.isFinite && $0 >= 0 }
        switch c.attribute("name") {
        case "graphic-margin":
            switch numbers.count {
            case 1: s.graphicMargin = GraphicMargin(top: numbers[0], right: numbers[0], bottom: numbers[0], left: numbers[0])
            case 2: s.graphicMargin = GraphicMargin(top: numbers[0], right: numbers[1], bottom: numbers[0], left: numbers[1])
            case 4: s.graphicMargin = GraphicMargin(top: numbers[0], right: numbers[1], bottom: numbers[2], left: numbers[3])
            default: warn("graphic-margin '\(c.trimmedText.prefix(30))' is not 1, 2 or 4 numbers: ignored")
            }
        case "distance":
            // The tile is distance x by y; the graphic's size is only known once the Fill is read.
            guard numbers.count == 2 else { warn("distance '\(c.trimmedText.prefix(30))' is not 'dx,dy': ignored"); return }
            distance = (numbers[0], numbers[1])
        default: notActedOn(c, of: parentElement)
        }
    }

    mutating func lineSymbolizer(_ e: XMLElement) -> LineSymbolizer {
        var s = LineSymbolizer(stroke: Stroke(), uom: symbolizerCommon(e))
        for c in e.children {
            switch c.name {
            case "Stroke": s.stroke = stroke(c)
            case "PerpendicularOffset": s.perpendicularOffset = numberValue(c) ?? 0
            case "VendorOption":
                switch c.attribute("name") {
                case "placement":
                    if let p = GraphicStrokePlacement(rawValue: c.trimmedText) { s.graphicPlacement = p } else {
                        warn("LineSymbolizer placement \(c.trimmedText.prefix(30)) is not known: graphics are repeated along the line")
                    }
                case "rotateMarker": s.rotatesGraphics = !["0", "false"].contains(c.trimmedText.lowercased())
                default: notActedOn(c, of: e)
                }
            case "Geometry", "Name", "Description": break
            default: unsupported(c, in: e)
            }
        }
        return s
    }

    mutating func pointSymbolizer(_ e: XMLElement) -> PointSymbolizer? {
        let uom = symbolizerCommon(e)
        for c in e.children where !["Graphic", "Geometry", "Name", "Description"].contains(c.name) {
            if c.name == "VendorOption" { notActedOn(c, of: e) } else { unsupported(c, in: e) }
        }
        return PointSymbolizer(graphic: e.child("Graphic").map { graphic($0) } ?? Graphic(), uom: uom)
    }

    /// GeoServer's TextSymbolizer vendor options that QGIS writes: they tune where labels go. Kept on the
    /// symbolizer without a warning; those the label placer does not act on (all but `actedOnTextVendorOptions`)
    /// are noted.
    static let actedOnTextVendorOptions: Set<String> = ["followLine", "maxAngleDelta"]
    static let textVendorOptions: Set<String> = [
        "maxDisplacement", "repeat", "followLine", "maxAngleDelta", "spaceAround", "autoWrap", "group",
        "conflictResolution", "goodnessOfFit", "labelAllGroup", "partials", "polygonAlign", "forceLeftToRight",
        "underlineText", "strikethroughText", "charSpacing", "wordSpacing", "graphic-margin", "graphic-resize",
    ]

    mutating func textSymbolizer(_ e: XMLElement) -> TextSymbolizer? {
        var t = TextSymbolizer(label: [], uom: symbolizerCommon(e))
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
            case "VendorOption":
                let name = c.attribute("name") ?? ""
                if Self.textVendorOptions.contains(name) {
                    t.vendorOptions[name] = c.trimmedText
                    if !Self.actedOnTextVendorOptions.contains(name) { notActedOn(c, of: e) }
                } else {
                    warn("vendor option \(name) of TextSymbolizer ignored")
                }
            case "Priority": warn("TextSymbolizer Priority is not supported: labels are placed in feature order")
            default: unsupported(c, in: e)
            }
        }
        if t.label.isEmpty { warn("TextSymbolizer without a Label: ignored"); return nil }
        return t
    }

    // MARK: - Parts

    /// The symbolizer's unit of measure (pixels unless `uom` says metres or feet).
    mutating func symbolizerCommon(_ e: XMLElement) -> SizeUnit {
        if e.child("Geometry") != nil {
            warn("\(e.name) Geometry is not supported: the layer's geometry column is drawn")
        }
        guard let raw = e.attribute("uom") else { return .pixel }
        guard let unit = SizeUnit(uri: raw) else {
            warn("\(e.name) unit of measure \(raw) is not supported: sizes are read as pixels")
            return .pixel
        }
        return unit
    }

    mutating func fill(_ e: XMLElement) -> Fill {
        let p = parameters(e)
        var f = Fill(colour: Colour.grey)
        if let s = p["fill"] { f.colour = colour(s, parameter: "fill") ?? Colour.grey }
        if let s = p["fill-opacity"] { f.colour.opacity = opacity(s) }
        if let g = e.child("GraphicFill")?.child("Graphic") {
            var gf = graphic(g)
            // QGIS exports a simple fill's cross and diagonal cross brushes as stroke-only `cross` and `x` marks:
            // grids of lines, which GeoServer's plus and times hatches draw (its filled cross outlined would not).
            if var m = gf.mark, m.fill == nil, m.stroke != nil, m.shape == .cross || m.shape == .x {
                m.shape = m.shape == .cross ? .plus : .times
                gf.mark = m
            }
            f.graphicFill = gf
        }
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
            switch c.name {
            case "GraphicStroke": s.graphicStroke = graphicStroke(c)
            case "GraphicFill": warn("Stroke GraphicFill is not supported: the stroke is drawn as a plain line")
            default: unsupported(c, in: e)
            }
        }
        return s
    }

    mutating func graphicStroke(_ e: XMLElement) -> GraphicStroke {
        var g = GraphicStroke(graphic: Graphic())
        for c in e.children {
            switch c.name {
            case "Graphic": g.graphic = graphic(c)
            case "Gap": g.gap = max(0, numberValue(c) ?? 0)
            case "InitialGap": g.initialGap = max(0, numberValue(c) ?? 0)
            default: unsupported(c, in: e)
            }
        }
        return g
    }

    mutating func graphic(_ e: XMLElement) -> Graphic {
        var g = Graphic(mark: nil)
        // Mark and ExternalGraphic are alternatives, the first usable one drawn (QGIS writes a parametric SVG,
        // the plain SVG, then a square mark): why one was refused only matters when none is usable.
        var refusals: [String] = []
        for c in e.children {
            switch c.name {
            case "Mark": if g.mark == nil && g.external == nil { g.mark = mark(c) }
            case "ExternalGraphic":
                if g.mark == nil && g.external == nil {
                    switch externalGraphic(c) {
                    case .success(let x): g.external = x
                    case .failure(let why): refusals.append(why.message)
                    }
                }
            case "Opacity": g.opacity = max(0, min(1, numberValue(c) ?? 1))
            case "Size": g.size = numberValue(c).flatMap { $0 > 0 ? $0 : nil }
            case "Rotation":
                if let p = c.child("PropertyName") ?? c.child("ValueReference"), c.children.count == 1 {
                    g.rotationProperty = FilterPropertyName.strip(p.trimmedText)
                } else {
                    g.rotation = numberValue(c) ?? 0
                }
            case "AnchorPoint":
                g.anchor = (c.child("AnchorPointX").flatMap { numberValue($0) } ?? 0.5,
                            c.child("AnchorPointY").flatMap { numberValue($0) } ?? 0.5)
            case "Displacement":
                g.displacement = (c.child("DisplacementX").flatMap { numberValue($0) } ?? 0,
                                  c.child("DisplacementY").flatMap { numberValue($0) } ?? 0)
            default: unsupported(c, in: e)
            }
        }
        if g.mark == nil && g.external == nil {
            for r in refusals { warn(r) }
            g.mark = Mark()
        }
        return g
    }

    mutating func mark(_ e: XMLElement) -> Mark {
        var m = Mark(shape: .square, fill: nil, stroke: nil)
        let hasFill = e.child("Fill") != nil, hasStroke = e.child("Stroke") != nil
        for c in e.children {
            switch c.name {
            case "WellKnownName":
                if let s = MarkShape(wellKnownName: c.trimmedText) { m.shape = s } else if let g = FontGlyph(link: c.trimmedText) {
                    m.glyph = g
                } else {
                    warn("mark \(c.trimmedText) is not supported: drawn as a square")
                }
            case "Fill": m.fill = fill(c)
            case "Stroke": m.stroke = stroke(c)
            case "OnlineResource", "Format", "MarkIndex", "InlineContent": break   // a font glyph: read below
            default: unsupported(c, in: e)
            }
        }
        if let link = e.child("OnlineResource")?.attribute("href") {
            let code = e.child("MarkIndex").flatMap { Int($0.trimmedText) }
            if let g = FontGlyph(link: link, code: code) { m.glyph = g } else {
                warn("mark from \(link.prefix(60)) is not supported (font marks ttf://Family with a MarkIndex only): drawn as a square")
            }
        } else if e.child("InlineContent") != nil {
            warn("Mark InlineContent is not supported: drawn as a square")
        }
        // SLD defaults: a grey fill and a black stroke when neither is given.
        if !hasFill && !hasStroke { m.fill = Fill(); m.stroke = Stroke() }
        return m
    }

    struct Refusal: Error { var message: String }

    /// A PNG or SVG file of the styles directory: a relative path, or an absolute path or `file:` URL that lies
    /// inside it (symbolic links followed). URLs are never fetched; paths leading out of the directory are refused.
    func externalGraphic(_ e: XMLElement) -> Result<ExternalGraphic, Refusal> {
        let href = e.child("OnlineResource").flatMap { $0.attribute("href") }?.trimmingCharacters(in: " \t\r\n") ?? ""
        var format = e.child("Format")?.trimmedText.lowercased() ?? ""
        let refused = Refusal(message: "ExternalGraphic \(href.prefix(120)) is refused: only PNG and SVG files of the styles directory are read, never URLs")
        var ref = Substring(href)
        var parameters: [String: String] = [:]
        if let q = ref.firstIndex(of: "?") {
            // QGIS's parametric SVG: path?fill=%23ff0000&outline=%23000000&outline-width=0.2
            for pair in ref[ref.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                if kv.count == 2 { parameters[kv[0]] = kv[1] }
            }
            ref = ref[..<q]
        }
        if ref.lowercased().hasPrefix("file://") { ref = ref.dropFirst(7) } else if ref.lowercased().hasPrefix("file:") { ref = ref.dropFirst(5) }
        let path = String(ref).removingPercentEncoding ?? String(ref)
        guard !path.isEmpty, !path.contains("://"), let dir = graphicsDirectory else { return .failure(refused) }
        let root = URL(fileURLWithPath: dir).standardizedFileURL.resolvingSymlinksInPath().path
        let full = URL(fileURLWithPath: path.hasPrefix("/") ? path : dir + "/" + path).standardizedFileURL.resolvingSymlinksInPath().path
        guard full.hasPrefix(root.hasSuffix("/") ? root : root + "/") else { return .failure(refused) }
        if format.isEmpty { format = full.lowercased().hasSuffix(".svg") ? "image/svg+xml" : "image/png" }
        guard format == "image/png" || format.hasPrefix("image/svg") else {
            return .failure(Refusal(message: "ExternalGraphic format \(format.prefix(40)) is not supported (image/png and image/svg+xml only)"))
        }
        return .success(ExternalGraphic(path: full, format: format, parameters: parameters))
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
            // GeneralizeLine (QGIS writes it) and IsAligned only say what the placer does anyway: labels take
            // the line's direction where they sit.
            for c in lp.children where !["PerpendicularOffset", "GeneralizeLine", "IsAligned"].contains(c.name) {
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
