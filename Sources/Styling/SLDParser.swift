import Filters
import OGCCore
import SafeXML

/// Parses SLD 1.0.0 and SLD 1.1.0 / SE 1.1.0 documents into the style model.
///
/// Elements are matched by local name, so `sld:`, `se:` and unprefixed documents all work. Everything the
/// model does not hold becomes a warning (reported at config load) rather than being silently dropped.
public struct SLDParser {
    /// Where ExternalGraphic files may come from (the styles directory); nil refuses them all.
    public var graphicsDirectory: String?
    public var limits: FilterLimits
    public private(set) var warnings: [String] = []
    /// Vendor options read without a warning (GeoServer's, as QGIS writes them) that the renderer does not act
    /// on yet: the style draws, but not every placement hint is followed.
    public private(set) var notes: [String] = []

    public init(graphicsDirectory: String? = nil, limits: FilterLimits = FilterLimits(locator: "SLD")) {
        self.graphicsDirectory = graphicsDirectory; self.limits = limits
    }

    /// Parses SLD bytes (a file or an `SLD_BODY`). Malformed XML, a root that is not StyledLayerDescriptor,
    /// or a bad filter throw `OGCError` (InvalidParameterValue, locator SLD / SLD_BODY).
    public mutating func parse(_ bytes: [UInt8], maxBytes: Int = 1 << 20) throws(OGCError) -> StyledLayerDescriptor {
        let root: XMLElement
        do {
            root = try SafeXML.parse(bytes, maxDepth: 64, maxBytes: maxBytes, locator: limits.locator)
        } catch {
            throw OGCError.invalid(limits.locator, "The SLD is not well-formed XML: \(error.message)")
        }
        return try parse(root: root)
    }

    public mutating func parse(root: XMLElement) throws(OGCError) -> StyledLayerDescriptor {
        guard root.name == "StyledLayerDescriptor" else {
            throw OGCError.invalid(limits.locator, "The SLD root element must be StyledLayerDescriptor, not \(root.name)")
        }
        let version = root.attribute("version") ?? "1.0.0"
        if version != "1.0.0" && version != "1.1.0" {
            warn("SLD version \(version) is read as 1.0.0/1.1.0")
        }
        var layers: [StyledLayer] = []
        for c in root.children {
            switch c.name {
            case "NamedLayer", "UserLayer": layers.append(try layer(c))
            case "Name", "Title", "Abstract", "Description": break
            default: unsupported(c, in: root)
            }
        }
        if layers.isEmpty { throw OGCError.invalid(limits.locator, "The SLD has no NamedLayer or UserLayer") }
        return StyledLayerDescriptor(version: version, name: root.child("Name")?.trimmedText, layers: layers)
    }

    // MARK: - Structure

    mutating func layer(_ e: XMLElement) throws(OGCError) -> StyledLayer {
        let name = e.child("Name")?.trimmedText
        var styles: [UserStyle] = []
        for c in e.children {
            switch c.name {
            case "UserStyle": styles.append(try userStyle(c))
            case "NamedStyle": warn("NamedStyle \(c.child("Name")?.trimmedText ?? "") in layer \(name ?? "") refers to a server-side style: ignored")
            case "Name", "Description", "Title", "Abstract": break
            case "LayerFeatureConstraints":
                if !c.children.allSatisfy({ $0.name == "FeatureTypeConstraint" && $0.child("Filter") == nil }) {
                    warn("LayerFeatureConstraints filters are not applied")
                }
            default: unsupported(c, in: e)
            }
        }
        if styles.isEmpty { warn("layer \(name ?? "") has no UserStyle") }
        return StyledLayer(name: name, isUserLayer: e.name == "UserLayer", styles: styles)
    }

    mutating func userStyle(_ e: XMLElement) throws(OGCError) -> UserStyle {
        var s = UserStyle(name: e.child("Name")?.trimmedText, featureTypeStyles: [])
        for c in e.children {
            switch c.name {
            case "Name": break
            case "Title": s.title = c.trimmedText
            case "Abstract": s.abstract = c.trimmedText
            case "Description":
                s.title = c.child("Title")?.trimmedText ?? s.title
                s.abstract = c.child("Abstract")?.trimmedText ?? s.abstract
            case "IsDefault": s.isDefault = ["1", "true"].contains(c.trimmedText.lowercased())
            case "FeatureTypeStyle", "CoverageStyle": s.featureTypeStyles.append(try featureTypeStyle(c))
            default: unsupported(c, in: e)
            }
        }
        return s
    }

    mutating func featureTypeStyle(_ e: XMLElement) throws(OGCError) -> FeatureTypeStyle {
        var f = FeatureTypeStyle(name: e.child("Name")?.trimmedText, rules: [])
        if e.name == "CoverageStyle" { warn("CoverageStyle cannot style vector data: ignored") ; return f }
        for c in e.children {
            switch c.name {
            case "Rule": f.rules.append(try rule(c))
            case "Name", "Title", "Abstract", "Description", "FeatureTypeName", "SemanticTypeIdentifier": break
            case "VendorOption": notActedOn(c, of: e)
            case "Transformation": warn("FeatureTypeStyle Transformation is not supported: ignored")
            default: unsupported(c, in: e)
            }
        }
        return f
    }

    mutating func rule(_ e: XMLElement) throws(OGCError) -> Rule {
        var r = Rule(symbolizers: [])
        for c in e.children {
            switch c.name {
            case "Name": r.name = c.trimmedText
            case "Title": r.title = c.trimmedText
            case "Abstract": r.abstract = c.trimmedText
            case "Description":
                r.title = c.child("Title")?.trimmedText ?? r.title
                r.abstract = c.child("Abstract")?.trimmedText ?? r.abstract
            case "LegendGraphic": break
            case "MinScaleDenominator": r.minScaleDenominator = try number(c)
            case "MaxScaleDenominator": r.maxScaleDenominator = try number(c)
            case "Filter":
                var l = limits
                l.locator = limits.locator
                r.filter = try FilterParser.parse(element: c, limits: l)
            case "ElseFilter": r.isElse = true
            case "PolygonSymbolizer": r.symbolizers.append(.polygon(polygonSymbolizer(c)))
            case "LineSymbolizer": r.symbolizers.append(.line(lineSymbolizer(c)))
            case "PointSymbolizer": if let p = pointSymbolizer(c) { r.symbolizers.append(.point(p)) }
            case "TextSymbolizer": if let t = textSymbolizer(c) { r.symbolizers.append(.text(t)) }
            case "RasterSymbolizer": warn("RasterSymbolizer cannot style vector data: ignored")
            default: unsupported(c, in: e)
            }
        }
        return r
    }

    // MARK: - Helpers

    mutating func warn(_ s: String) {
        if !warnings.contains(s) { warnings.append(s) }
    }

    mutating func notActedOn(_ vendorOption: XMLElement, of parent: XMLElement) {
        let name = vendorOption.attribute("name") ?? ""
        if !notes.contains(where: { $0.hasPrefix("\(parent.name) vendor option \(name) ") }) {
            notes.append("\(parent.name) vendor option \(name) (\(vendorOption.trimmedText.prefix(30))) is not acted on")
        }
    }

    mutating func unsupported(_ e: XMLElement, in parent: XMLElement) {
        warn("unsupported element \(e.name) in \(parent.name): ignored")
    }

    func number(_ e: XMLElement) throws(OGCError) -> Double {
        guard let v = Double(e.trimmedText), v.isFinite else {
            throw OGCError.invalid(limits.locator, "\(e.name) must be a number, not '\(e.trimmedText.prefix(40))'")
        }
        return v
    }
}
