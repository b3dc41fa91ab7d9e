import Hummingbird
import ImageCodec
import OGCCore
import Rendering
import ServiceKit
import Styling

extension WebMapService {
    /// A PNG legend of a layer: one swatch per rule of its relations' styles (top relation first) with the rule
    /// titles; SCALE keeps the rules visible at that scale, RULE one rule.
    func getLegendGraphic(_ request: OGCRequest, _ context: ServiceContext, version: WMSVersion) async throws -> Response {
        let kvp = request.kvp
        let name = try kvp.required("LAYER")
        let catalog = catalog(context)
        guard case .vector(let entry) = try await catalog.layer(name, parameter: "LAYER") else {
            throw OGCError.invalid("LAYER", "Layer \(name) is a raster layer: it has no legend")
        }
        let formatRaw = kvp.nonEmpty("FORMAT") ?? "image/png"
        guard let format = ImageFormat.parse(formatRaw), ImageEncoder.availableFormats.contains(format) else {
            throw OGCError(.invalidFormat, locator: "FORMAT", "Format \(formatRaw) is not supported")
        }
        let w = try kvp.integer("WIDTH", min: 4, max: 512) ?? 20
        let h = try kvp.integer("HEIGHT", min: 4, max: 512) ?? 20
        let scale: Double? = try kvp.nonEmpty("SCALE").map { (s: String) throws(OGCError) -> Double in
            guard let v = Double(s), v > 0 else { throw OGCError.invalid("SCALE", "SCALE must be a positive number") }
            return v
        }
        var sldBody: StyledLayerDescriptor? = nil
        if let body = kvp["SLD_BODY"], !body.isEmpty {
            var parser = SLDParser(limits: .init(maxBytes: limits(context).maxSLDBytes, maxDepth: 32, locator: "SLD_BODY"))
            sldBody = try parser.parse(Array(body.utf8), maxBytes: limits(context).maxSLDBytes)
        }
        let relations = try await catalog.resolve(entry, styleName: kvp.nonEmpty("STYLE") ?? "", sldBody: sldBody).reversed()
        var rules: [(rule: Rule, geometryType: Geo.GeometryType)] = []
        for r in relations {
            for rule in r.style.rules where scale.map({ rule.applies(atScale: $0) }) ?? true {
                rules.append((rule, r.schema.geometryType))
            }
        }
        if let only = kvp.nonEmpty("RULE") {
            rules = rules.filter { $0.rule.name == only }
            if rules.isEmpty { throw OGCError.invalid("RULE", "Layer \(name) has no rule named \(only)") }
        }
        let labels = (kvp.nonEmpty("LEGEND_OPTIONS") ?? "").lowercased().contains("forcelabels:off") == false
        let toDraw = rules
        let bytes = try await pool.run { () throws -> [UInt8] in
            guard let img = LegendRenderer(swatchWidth: w, swatchHeight: h).render(toDraw, labels: labels) else {
                throw OGCError(.noApplicableCode, "The legend could not be drawn")
            }
            return try ImageEncoder.encode(img, as: format)
        }
        return Response.bytes(bytes, contentType: format.mimeType)
    }
}

import Geo
