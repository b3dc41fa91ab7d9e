import Filters
import Geo

/// A parsed SLD document (SLD 1.0.0, or SLD 1.1.0 with SE 1.1.0 symbology), reduced to what Passerelle draws.
public struct StyledLayerDescriptor: Sendable, Equatable {
    /// "1.0.0" or "1.1.0".
    public var version: String
    public var name: String?
    public var layers: [StyledLayer]

    public init(version: String, name: String? = nil, layers: [StyledLayer]) {
        self.version = version; self.name = name; self.layers = layers
    }

    /// The layer styling `table`: the NamedLayer/UserLayer of that name, else the only layer there is.
    public func layer(named table: String) -> StyledLayer? {
        layers.first { $0.name == table } ?? (layers.count == 1 ? layers[0] : nil)
    }
}

/// A NamedLayer or a UserLayer with its user styles.
public struct StyledLayer: Sendable, Equatable {
    public var name: String?
    public var isUserLayer: Bool
    public var styles: [UserStyle]

    public init(name: String?, isUserLayer: Bool = false, styles: [UserStyle]) {
        self.name = name; self.isUserLayer = isUserLayer; self.styles = styles
    }

    /// The style marked IsDefault, else the first one.
    public var defaultStyle: UserStyle? { styles.first { $0.isDefault } ?? styles.first }
}

public struct UserStyle: Sendable, Equatable {
    public var name: String?
    public var title: String?
    public var abstract: String?
    public var isDefault: Bool
    public var featureTypeStyles: [FeatureTypeStyle]

    public init(name: String? = nil, title: String? = nil, abstract: String? = nil, isDefault: Bool = false,
                featureTypeStyles: [FeatureTypeStyle]) {
        self.name = name; self.title = title; self.abstract = abstract; self.isDefault = isDefault
        self.featureTypeStyles = featureTypeStyles
    }

    public var rules: [Rule] { featureTypeStyles.flatMap(\.rules) }

    /// The smallest MinScaleDenominator and largest MaxScaleDenominator over the rules (nil: unbounded).
    public var scaleRange: (min: Double?, max: Double?) {
        let rs = rules
        guard !rs.isEmpty else { return (nil, nil) }
        let mins = rs.map(\.minScaleDenominator), maxs = rs.map(\.maxScaleDenominator)
        let lo: Double? = mins.contains(where: { $0 == nil }) ? nil : mins.compactMap { $0 }.min()
        let hi: Double? = maxs.contains(where: { $0 == nil }) ? nil : maxs.compactMap { $0 }.max()
        return (lo, hi)
    }
}

public struct FeatureTypeStyle: Sendable, Equatable {
    public var name: String?
    public var rules: [Rule]
    public init(name: String? = nil, rules: [Rule]) { self.name = name; self.rules = rules }
}

public struct Rule: Sendable, Equatable {
    public var name: String?
    public var title: String?
    public var abstract: String?
    /// The rule applies when minScaleDenominator <= scale < maxScaleDenominator.
    public var minScaleDenominator: Double?
    public var maxScaleDenominator: Double?
    public var filter: Filter?
    /// ElseFilter: applies to the features no other rule of its FeatureTypeStyle (at this scale) took.
    public var isElse: Bool
    public var symbolizers: [Symbolizer]

    public init(name: String? = nil, title: String? = nil, abstract: String? = nil, minScaleDenominator: Double? = nil,
                maxScaleDenominator: Double? = nil, filter: Filter? = nil, isElse: Bool = false, symbolizers: [Symbolizer]) {
        self.name = name; self.title = title; self.abstract = abstract
        self.minScaleDenominator = minScaleDenominator; self.maxScaleDenominator = maxScaleDenominator
        self.filter = filter; self.isElse = isElse; self.symbolizers = symbolizers
    }

    public func applies(atScale scale: Double) -> Bool {
        if let m = minScaleDenominator, scale < m { return false }
        if let m = maxScaleDenominator, scale >= m { return false }
        return true
    }
}

public enum Symbolizer: Sendable, Equatable {
    case polygon(PolygonSymbolizer)
    case line(LineSymbolizer)
    case point(PointSymbolizer)
    case text(TextSymbolizer)
}

/// An sRGB colour with its opacity (0…1).
public struct Colour: Sendable, Hashable {
    public var r: UInt8, g: UInt8, b: UInt8
    public var opacity: Double

    public init(r: UInt8, g: UInt8, b: UInt8, opacity: Double = 1) {
        self.r = r; self.g = g; self.b = b; self.opacity = opacity
    }

    public static let black = Colour(r: 0, g: 0, b: 0)
    public static let white = Colour(r: 255, g: 255, b: 255)
    public static let grey = Colour(r: 128, g: 128, b: 128)

    /// `#RRGGBB`, `#RGB`, `0xRRGGBB` (SLD writes colours as hex).
    public static func parse(_ raw: String) -> Colour? {
        var s = Substring(raw.trimmingCharacters(in: " \t\r\n"))
        if s.hasPrefix("#") { s = s.dropFirst() } else if s.lowercased().hasPrefix("0x") { s = s.dropFirst(2) } else { return nil }
        if s.count == 3 { s = Substring(s.map { "\($0)\($0)" }.joined()) }
        guard s.count == 6, let v = UInt32(s, radix: 16) else { return nil }
        return Colour(r: UInt8(v >> 16), g: UInt8((v >> 8) & 0xFF), b: UInt8(v & 0xFF))
    }

    public var hex: String {
        let h = String((Int(r) << 16 | Int(g) << 8 | Int(b)), radix: 16, uppercase: true)
        return "#" + String(repeating: "0", count: 6 - h.count) + h
    }

    public func with(opacity o: Double) -> Colour { var c = self; c.opacity = o; return c }
}

extension String {
    /// Trims the characters made only of scalars of `set`. (Comparing Characters would not do: in " \t\r\n"
    /// "\r\n" is one Character, so a lone "\n" would not be found in it and would stay.)
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        func trimmed(_ c: Character) -> Bool { c.unicodeScalars.allSatisfy { scalars.contains($0) } }
        var s = Substring(self)
        while let f = s.first, trimmed(f) { s = s.dropFirst() }
        while let l = s.last, trimmed(l) { s = s.dropLast() }
        return String(s)
    }
}

public struct Fill: Sendable, Equatable {
    public var colour: Colour
    /// A repeated graphic instead of a plain colour (GraphicFill).
    public var graphicFill: Graphic? {
        get { graphicFillStorage.first }
        set { graphicFillStorage = newValue.map { [$0] } ?? [] }
    }
    // An array breaks the Fill → Graphic → Mark → Fill recursion of value types.
    private var graphicFillStorage: [Graphic] = []
    public init(colour: Colour = Colour.grey, graphicFill: Graphic? = nil) { self.colour = colour; self.graphicFill = graphicFill }
}

public enum LineJoin: String, Sendable { case miter = "mitre", round, bevel }
public enum LineCap: String, Sendable { case butt, round, square }

public struct Stroke: Sendable, Equatable {
    public var colour: Colour
    public var width: Double
    public var dashArray: [Double]?
    public var dashOffset: Double
    public var lineJoin: LineJoin
    public var lineCap: LineCap
    /// A graphic repeated along the line instead of a plain line (GraphicStroke).
    public var graphicStroke: GraphicStroke? {
        get { graphicStrokeStorage.first }
        set { graphicStrokeStorage = newValue.map { [$0] } ?? [] }
    }
    // An array breaks the Stroke → Graphic → Mark → Stroke recursion of value types.
    private var graphicStrokeStorage: [GraphicStroke] = []

    public init(colour: Colour = .black, width: Double = 1, dashArray: [Double]? = nil, dashOffset: Double = 0,
                lineJoin: LineJoin = .miter, lineCap: LineCap = .butt, graphicStroke: GraphicStroke? = nil) {
        self.colour = colour; self.width = width; self.dashArray = dashArray; self.dashOffset = dashOffset
        self.lineJoin = lineJoin; self.lineCap = lineCap; self.graphicStroke = graphicStroke
    }
}

/// SE GraphicStroke: the graphic drawn again and again along the line, turned with it. Spacing follows
/// GeoServer: the stroke's dash array when it has one (a graphic in each dash), else the graphic's size plus `gap`.
public struct GraphicStroke: Sendable, Equatable {
    public var graphic: Graphic
    /// Pixels between one graphic and the next (SE Gap), and before the first one (SE InitialGap).
    public var gap: Double
    public var initialGap: Double
    public init(graphic: Graphic, gap: Double = 0, initialGap: Double = 0) {
        self.graphic = graphic; self.gap = gap; self.initialGap = initialGap
    }
}

public enum MarkShape: String, Sendable, CaseIterable {
    case circle, square, triangle, star, cross, x
    /// QGIS's simple marker shapes, as its SLD export names them.
    case diamond, pentagon, hexagon, octagon
    /// GeoServer's `shape://` marks, for hatched GraphicFills: lines that run on from tile to tile.
    case horline, vertline, slash, backslash, dot, plus, times

    /// The shape of a WellKnownName: `circle`, `shape://horline`, `horline` as QGIS writes its line patterns, or
    /// QGIS's names of the shapes that are GeoServer's under another name.
    public init?(wellKnownName raw: String) {
        var n = raw.trimmingCharacters(in: " \t\r\n").lowercased()
        if n.hasPrefix("shape://") { n = String(n.dropFirst(8)) }
        switch n {
        case "cross2": self = .x
        case "cross_fill": self = .cross
        case "equilateral_triangle": self = .triangle
        case "line": self = .vertline
        default: self.init(rawValue: n)
        }
    }

    /// Marks made of lines through the whole tile (drawn with the mark's stroke, never filled).
    public var isHatch: Bool {
        switch self {
        case .horline, .vertline, .slash, .backslash, .plus, .times: true
        default: false
        }
    }
}

public struct Mark: Sendable, Equatable {
    public var shape: MarkShape
    /// A character of a font drawn as the mark instead of the shape (SE's Mark with a font OnlineResource and a
    /// MarkIndex, as QGIS exports its font markers; GeoServer's `ttf://Family#0x41`).
    public var glyph: FontGlyph?
    public var fill: Fill?
    public var stroke: Stroke?
    public init(shape: MarkShape = .square, glyph: FontGlyph? = nil, fill: Fill? = Fill(), stroke: Stroke? = Stroke()) {
        self.shape = shape; self.glyph = glyph; self.fill = fill; self.stroke = stroke
    }
}

public struct FontGlyph: Sendable, Equatable {
    public var family: String
    public var character: String
    public init(family: String, character: String) { self.family = family; self.character = character }

    /// `ttf://Family#0x41` (GeoServer's WellKnownName), or a font link `ttf://Family` with the character's code.
    public init?(link: String, code: Int? = nil) {
        guard link.lowercased().hasPrefix("ttf://") else { return nil }
        let rest = link.dropFirst(6)
        let parts = rest.split(separator: "#", maxSplits: 1)
        guard let family = parts.first.map(String.init), !family.isEmpty else { return nil }
        var c = code
        if c == nil, parts.count == 2 {
            let n = parts[1].lowercased()
            c = n.hasPrefix("0x") ? Int(n.dropFirst(2), radix: 16) : Int(n)
        }
        guard let c, c > 0, let scalar = Unicode.Scalar(c) else { return nil }
        self.family = family; character = String(Character(scalar))
    }
}

/// A PNG or SVG file from the styles directory (never fetched from the network).
public struct ExternalGraphic: Sendable, Equatable {
    public var path: String
    /// `image/png` or `image/svg+xml`.
    public var format: String
    /// QGIS's SVG parameters from the link's query (`fill`, `outline`, `outline-width`, …): they replace the
    /// `param(name)` values of the SVG's attributes.
    public var parameters: [String: String]
    public init(path: String, format: String, parameters: [String: String] = [:]) {
        self.path = path; self.format = format; self.parameters = parameters
    }

    public var isSVG: Bool { format.hasPrefix("image/svg") }
}

public struct Graphic: Sendable, Equatable {
    /// The first usable of the Mark/ExternalGraphic alternatives.
    public var mark: Mark?
    public var external: ExternalGraphic?
    /// Size in pixels (height); nil: the mark's default (6) or the image's own size.
    public var size: Double?
    public var opacity: Double
    /// Degrees clockwise.
    public var rotation: Double
    /// The attribute holding the rotation (degrees clockwise) when it comes from the feature; `rotation` is then
    /// the value for features without it.
    public var rotationProperty: String?
    public var displacement: (x: Double, y: Double)
    public var anchor: (x: Double, y: Double)

    public init(mark: Mark? = Mark(), external: ExternalGraphic? = nil, size: Double? = nil, opacity: Double = 1,
                rotation: Double = 0, displacement: (x: Double, y: Double) = (0, 0), anchor: (x: Double, y: Double) = (0.5, 0.5)) {
        self.mark = mark; self.external = external; self.size = size; self.opacity = opacity; self.rotation = rotation
        self.displacement = displacement; self.anchor = anchor
    }

    public static func == (a: Graphic, b: Graphic) -> Bool {
        a.mark == b.mark && a.external == b.external && a.size == b.size && a.opacity == b.opacity && a.rotation == b.rotation
            && a.rotationProperty == b.rotationProperty && a.displacement == b.displacement && a.anchor == b.anchor
    }
}

public struct PolygonSymbolizer: Sendable, Equatable {
    public var fill: Fill?
    public var stroke: Stroke?
    public var uom: SizeUnit
    /// Room around the graphic of a GraphicFill, in pixels, as GeoServer's `graphic-margin` vendor option gives
    /// it (top, right, bottom, left), or from QGIS's `distance` between the points of a point pattern fill.
    public var graphicMargin: GraphicMargin
    public init(fill: Fill? = Fill(), stroke: Stroke? = nil, uom: SizeUnit = .pixel, graphicMargin: GraphicMargin = GraphicMargin()) {
        self.fill = fill; self.stroke = stroke; self.uom = uom; self.graphicMargin = graphicMargin
    }
}

public struct GraphicMargin: Sendable, Equatable {
    public var top = 0.0, right = 0.0, bottom = 0.0, left = 0.0
    public init(top: Double = 0, right: Double = 0, bottom: Double = 0, left: Double = 0) {
        self.top = top; self.right = right; self.bottom = bottom; self.left = left
    }
}

public struct LineSymbolizer: Sendable, Equatable {
    public var stroke: Stroke
    public var uom: SizeUnit
    /// Pixels to the left of the line's direction (negative: to the right), as SE and GeoServer read it.
    public var perpendicularOffset: Double
    /// Where a GraphicStroke's graphics go, and whether they turn with the line (QGIS's `placement` and
    /// `rotateMarker` vendor options of its marker lines).
    public var graphicPlacement: GraphicStrokePlacement
    public var rotatesGraphics: Bool
    public init(stroke: Stroke = Stroke(), uom: SizeUnit = .pixel, perpendicularOffset: Double = 0,
                graphicPlacement: GraphicStrokePlacement = .repeated, rotatesGraphics: Bool = true) {
        self.stroke = stroke; self.uom = uom; self.perpendicularOffset = perpendicularOffset
        self.graphicPlacement = graphicPlacement; self.rotatesGraphics = rotatesGraphics
    }
}

/// QGIS's marker line placements as it exports them (`placement` vendor option): along the whole line (SE's
/// own GraphicStroke), or on its vertices, its first or last point, or its middle.
public enum GraphicStrokePlacement: String, Sendable {
    case repeated, points, firstPoint, lastPoint, centralPoint
}

public struct PointSymbolizer: Sendable, Equatable {
    public var graphic: Graphic
    public var uom: SizeUnit
    public init(graphic: Graphic = Graphic(), uom: SizeUnit = .pixel) { self.graphic = graphic; self.uom = uom }
}

/// Label text: literal pieces and attribute values, concatenated.
public enum LabelPart: Sendable, Equatable {
    case literal(String)
    case property(String)
}

public struct Font: Sendable, Equatable {
    public var family: String
    public var size: Double
    public var bold: Bool
    public var italic: Bool
    public init(family: String = "DejaVu Sans", size: Double = 10, bold: Bool = false, italic: Bool = false) {
        self.family = family; self.size = size; self.bold = bold; self.italic = italic
    }
}

public struct Halo: Sendable, Equatable {
    public var radius: Double
    public var fill: Colour
    public init(radius: Double = 1, fill: Colour = .white) { self.radius = radius; self.fill = fill }
}

public enum LabelPlacement: Sendable, Equatable {
    /// Anchor (0…1, 0.5/0.5 centred; SLD's y axis points up), displacement in pixels (y up), rotation degrees.
    case point(anchorX: Double, anchorY: Double, dx: Double, dy: Double, rotation: Double)
    /// Along the line, offset perpendicular in pixels.
    case line(perpendicularOffset: Double)
}

public struct TextSymbolizer: Sendable, Equatable {
    public var label: [LabelPart]
    public var font: Font
    public var fill: Colour
    public var halo: Halo?
    public var placement: LabelPlacement
    public var uom: SizeUnit
    /// GeoServer's vendor options (`followLine`, `maxDisplacement`, `spaceAround`, …) by name.
    public var vendorOptions: [String: String]

    public init(label: [LabelPart], font: Font = Font(), fill: Colour = .black, halo: Halo? = nil,
                placement: LabelPlacement = .point(anchorX: 0.5, anchorY: 0.5, dx: 0, dy: 0, rotation: 0),
                uom: SizeUnit = .pixel, vendorOptions: [String: String] = [:]) {
        self.label = label; self.font = font; self.fill = fill; self.halo = halo; self.placement = placement
        self.uom = uom; self.vendorOptions = vendorOptions
    }

    /// The attributes the label reads.
    public var properties: [String] {
        label.compactMap { if case .property(let p) = $0 { return p } else { return nil } }
    }
}

extension Symbolizer {
    /// The attributes this symbolizer reads.
    public var properties: [String] {
        switch self {
        case .text(let t): return t.properties
        case .point(let p): return p.graphic.rotationProperty.map { [$0] } ?? []
        default: return []
        }
    }
}

extension UserStyle {
    /// Pixels beyond a feature's geometry its symbols may cover, for labels and point symbols.
    public static let symbolReachPixels = 64.0

    /// How far outside the view (in pixels) a feature may lie and still draw into it at `scale`: half the widest
    /// stroke (mitres included), or `symbolReachPixels` when a label or a point symbol is drawn. Maps fetch
    /// features this far around the view, no further.
    public func reachPixels(atScale scale: Double) -> Double {
        var reach = 1.0
        // Ground sizes (uom) at this scale, through OGC's standard 0.28 mm pixel.
        let metresPerPixel = scale * 0.00028
        for r in rules where r.applies(atScale: scale) {
            for s in r.symbolizers {
                switch s.inPixels(metresPerPixel: metresPerPixel) {
                case .polygon(let p): reach = max(reach, (p.stroke?.width ?? 0) * 2 + 1)
                case .line(let l):
                    let graphic = l.stroke.graphicStroke.map { $0.graphic.size ?? 16 } ?? 0
                    reach = max(reach, max(l.stroke.width * 2, graphic) + abs(l.perpendicularOffset) + 1)
                case .point, .text: return Self.symbolReachPixels
                }
            }
        }
        return min(reach, Self.symbolReachPixels)
    }

    /// Every attribute the style reads (rule filters and labels), for fetching only the needed columns.
    public var properties: [String] {
        var out: [String] = []
        for r in rules {
            out += r.filter?.propertyNames ?? []
            for s in r.symbolizers { out += s.properties }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}
