import Config
import Foundation
import OGCCore
import ServiceKit
import Styling
import VectorData

/// The WMS layers a request may see: one per WMS-VECTOR offering, made of the configuration's relations
/// (the first relation drawn on top).
struct WMSLayerEntry: Sendable {
    var published: Published
    var name: String { published.configuration.layerName }
    var relations: [(storedData: StoredData, relation: UsedRelation)] {
        published.configuration.typeInfos.usedData.flatMap { u -> [(StoredData, UsedRelation)] in
            guard let sd = published.storedData[u.storedData] else { return [] }
            return (u.relations ?? []).map { (sd, $0) }
        }
    }
}

/// A relation ready to query and draw: its source, schema and the style to use.
struct ResolvedRelation: Sendable {
    var table: String
    var source: any VectorSource
    var schema: TableSchema
    var style: UserStyle
}

/// Finds layers and resolves their styles.
struct WMSCatalog: Sendable {
    let context: ServiceContext
    let sources: any VectorSourceProvider
    let styles: SLDLoader

    func layer(_ name: String, parameter: String = "LAYERS") throws(OGCError) -> WMSLayerEntry {
        guard let p = context.layers.first(where: { $0.configuration.layerName == name && $0.configuration.type == .wmsVector }) else {
            throw OGCError(.layerNotDefined, locator: parameter, "Layer \(name) is not defined")
        }
        return WMSLayerEntry(published: p)
    }

    var allLayers: [WMSLayerEntry] {
        context.layers.filter { $0.configuration.type == .wmsVector }.map { WMSLayerEntry(published: $0) }
    }

    /// The configured SLD of a relation, when it names one that loads.
    func configuredSLD(_ r: UsedRelation) -> StyledLayerDescriptor? {
        guard let name = r.style, !name.isEmpty,
              let url = SLDLoader.file(named: name, in: context.snapshot.stylesDirectory) else { return nil }
        do { return try styles.load(url).sld } catch {
            context.logger.warning("style \(name) does not load: \(error)")
            return nil
        }
    }

    /// The names of the styles a layer offers besides `default`: the other UserStyles of its relations' SLDs.
    func extraStyleNames(_ layer: WMSLayerEntry) -> [String] {
        var names: [String] = []
        for (_, r) in layer.relations {
            guard let sld = configuredSLD(r), let l = sld.layer(named: r.table) else { continue }
            for s in l.styles where !s.isDefault && s.name != nil && s.name != l.defaultStyle?.name && s.name != "default" {
                if !names.contains(s.name!) { names.append(s.name!) }
            }
        }
        return names
    }

    /// The relations of `layer`, bottom first (the configuration lists the top one first), with the style of
    /// each: from SLD_BODY (a layer named like the relation, or like the WMS layer), else the named style of
    /// the configured SLD, else its default style, else the default style of the geometry type.
    func resolve(_ layer: WMSLayerEntry, styleName: String, sldBody: StyledLayerDescriptor?) async throws -> [ResolvedRelation] {
        let wanted = styleName.isEmpty || styleName.lowercased() == "default" ? nil : styleName
        if let w = wanted, sldBody == nil, !extraStyleNames(layer).contains(w) {
            throw OGCError(.styleNotDefined, locator: "STYLES", "Style \(w) is not defined for layer \(layer.name)")
        }
        var out: [ResolvedRelation] = []
        for (sd, r) in layer.relations.reversed() {
            let source = try await sources.source(for: sd)
            let schema = try await source.schema(of: r.table)
            var style: UserStyle? = nil
            if let body = sldBody {
                let l = body.layers.first { $0.name == r.table } ?? body.layers.first { $0.name == layer.name }
                style = l.flatMap { sl in wanted.flatMap { w in sl.styles.first { $0.name == w } } ?? sl.defaultStyle }
            }
            if style == nil, let sld = configuredSLD(r), let l = sld.layer(named: r.table) {
                style = wanted.flatMap { w in l.styles.first { $0.name == w } } ?? l.defaultStyle
            }
            out.append(ResolvedRelation(table: r.table, source: source, schema: schema,
                                        style: style ?? DefaultStyles.style(for: schema.geometryType)))
        }
        return out
    }
}

/// How the service gets the data source of a stored data (the server passes its source registry).
