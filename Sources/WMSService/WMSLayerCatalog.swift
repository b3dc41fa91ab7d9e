import Config
import Foundation
import OGCCore
import ServiceKit
import Styling
import TileServices
import VectorData

/// A layer of the WMS: vector tables drawn with a style, or a raster pyramid resampled to the view.
enum WMSLayer: Sendable {
    case vector(WMSLayerEntry)
    case raster(TileLayer)

    var name: String {
        switch self {
        case .vector(let e): e.name
        case .raster(let l): l.name
        }
    }
}

/// A vector layer: one per WMS-VECTOR offering, made of the configuration's relations (the first relation drawn
/// on top).
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
    let pyramids: TileLayerResolver

    /// The WMS offerings of the endpoint, both kinds, in the order the endpoint lists them.
    var published: [Published] {
        context.layers.filter { $0.configuration.type == .wmsVector || $0.configuration.type == .wmsRaster }
    }

    func layer(_ name: String, parameter: String = "LAYERS") async throws -> WMSLayer {
        let notDefined = OGCError(.layerNotDefined, locator: parameter, "Layer \(name) is not defined")
        guard let p = published.first(where: { $0.configuration.layerName == name }) else { throw notDefined }
        guard p.configuration.type == .wmsRaster else { return .vector(WMSLayerEntry(published: p)) }
        guard let l = try await pyramids.layer(named: name, context, among: [p]), !l.isVector else { throw notDefined }
        return .raster(l)
    }

    /// Every layer (raster layers whose pyramid cannot be read are logged and left out).
    func allLayers() async throws -> [WMSLayer] {
        let all = published
        let rasters = try await pyramids.layers(context, among: all.filter { $0.configuration.type == .wmsRaster })
        return all.compactMap { p in
            p.configuration.type == .wmsRaster
                ? rasters.first { $0.name == p.configuration.layerName }.map(WMSLayer.raster)
                : .vector(WMSLayerEntry(published: p))
        }
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
