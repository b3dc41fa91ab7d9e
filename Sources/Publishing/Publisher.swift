import Config
import Foundation

/// What `passerelle publish` was asked for.
public struct PublicationRequest: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case wfs, wmsVector = "wms-vector", tms, wmts, wmsRaster = "wms-raster"

        public var serviceType: ServiceType {
            switch self {
            case .wfs: .wfs
            case .wmsVector: .wmsVector
            case .tms, .wmts: .wmtsTms
            case .wmsRaster: .wmsRaster
            }
        }
    }

    public var kind: Kind
    public var storedData: String
    /// The endpoint id; when nil, the one endpoint of the service's type that is open (or restricted).
    public var endpoint: String?
    /// An open offering (anyone), or a restricted one (API keys with a permission; needs a private endpoint).
    public var open: Bool = true
    /// The configuration and offering id (default `<stored data>-<kind>`).
    public var id: String?
    /// The layer name clients see (default: the stored data id).
    public var layerName: String?
    public var title: String?
    public var abstract: String?
    public var keywords: [String] = []
    /// Vector: only these tables (all when empty), in this order.
    public var tables: [String] = []
    /// WFS: a title per table (`table → title`).
    public var tableTitles: [String: String] = [:]
    /// WMS-VECTOR: an SLD file per table (`table → path`); the others get a generated style.
    public var styleFiles: [String: String] = [:]
    /// Pyramids: the levels published (default: all the pyramid's levels).
    public var topLevel: String?
    public var bottomLevel: String?
    /// Extra CRSs a WMS advertises.
    public var crs: [String] = []

    public init(kind: Kind, storedData: String) { self.kind = kind; self.storedData = storedData }
}

/// The files a publication writes: a configuration, an offering, and the SLDs it needs.
public struct Publication: Sendable {
    public var kind: PublicationRequest.Kind
    public var configuration: Configuration
    public var offering: Offering
    public var endpoint: Endpoint
    /// Style name → SLD text, to write into the styles directory.
    public var styles: [String: String] = [:]

    /// The capabilities URL of the endpoint, for a server at `baseURL`.
    public func capabilitiesURL(baseURL: String) -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let wanted = kind == .tms ? "TMS" : kind == .wmts ? "WMTS" : nil
        let url = endpoint.urls.first { wanted == nil || $0.type.uppercased() == wanted } ?? endpoint.urls.first
        let path = url?.path ?? "/"
        let query: String = switch kind {
        case .wfs: "?SERVICE=WFS&REQUEST=GetCapabilities"
        case .wmsVector, .wmsRaster: "?SERVICE=WMS&REQUEST=GetCapabilities"
        case .tms: ""
        case .wmts: "?SERVICE=WMTS&REQUEST=GetCapabilities"
        }
        let key = offering.open ? "" : (query.isEmpty ? "?apikey=KEY" : "&apikey=KEY")
        return base + path + query + key
    }
}

public enum PublishError: Error, CustomStringConvertible, Sendable {
    case invalid(String)

    public var description: String {
        switch self { case .invalid(let why): why }
    }
}

/// Makes the configuration and offering of a publication from a loaded config directory, as the platform's
/// interface would: the stored data's tables or levels, its extent, titles, one style per table. Pure: it
/// reads the snapshot and returns files to write (see `PublicationWriter`).
public enum Publisher {
    public static func plan(_ r: PublicationRequest, in snap: ConfigSnapshot, readStyle: (String) throws -> String = {
        try String(contentsOfFile: $0, encoding: .utf8)
    }) throws -> Publication {
        guard let sd = snap.storedData[r.storedData] else {
            let known = snap.storedData.keys.sorted().joined(separator: ", ")
            throw PublishError.invalid("no stored data \(r.storedData) in the config directory (known: \(known.isEmpty ? "none" : known))")
        }
        let type = r.kind.serviceType
        let endpoint = try chooseEndpoint(r, type: type, in: snap)
        let id = r.id ?? "\(r.storedData)-\(r.kind.rawValue)"
        guard ConfigWriter.isValidID(id) else { throw PublishError.invalid("\(id) is not a valid id") }
        let layerName = r.layerName ?? r.storedData.replacingOccurrences(of: "-", with: "_")
        for (oid, o) in snap.offerings where o.endpoint == endpoint.id && oid != id {
            if snap.configurations[o.configuration]?.layerName == layerName {
                throw PublishError.invalid("layer \(layerName) is already offered on endpoint \(endpoint.id) by offering \(oid); choose another --layer-name")
            }
        }
        let title = r.title ?? sd.name
        let abstract = r.abstract ?? "\(title) (\(sd.type.rawValue) \(sd.id))"
        var infos: ConfigurationTypeInfos
        var styles: [String: String] = [:]

        switch r.kind {
        case .wfs, .wmsVector:
            guard sd.type == .vectorDB else {
                throw PublishError.invalid("\(r.kind.rawValue) publishes a VECTOR-DB stored data; \(sd.id) is \(sd.type.rawValue)")
            }
            let relations = try tables(r, sd)
            if r.kind == .wfs {
                infos = ConfigurationTypeInfos(usedData: [UsedData(storedData: sd.id, relations: relations.map { rel in
                    var u = UsedRelation(nativeName: rel.name, title: r.tableTitles[rel.name] ?? rel.name)
                    u.abstract = "\(rel.name) (\(title))"
                    if !r.keywords.isEmpty { u.keywords = r.keywords }
                    return u
                })])
            } else {
                // Points over lines over polygons: the first relation is drawn on top.
                let drawn = relations.compactMap { rel -> (Relation, DefaultStyle.Family)? in
                    let geometryTypes = rel.attributes.values.compactMap(DefaultStyle.family(ofColumnType:))
                    if geometryTypes.isEmpty && rel.attributes.values.contains(where: { !$0.isEmpty }) { return nil }
                    return (rel, geometryTypes.first ?? .any)
                }
                guard !drawn.isEmpty else { throw PublishError.invalid("stored data \(sd.id) has no table with a geometry to draw") }
                let order: [DefaultStyle.Family] = [.point, .any, .line, .polygon]
                let sorted = drawn.enumerated().sorted {
                    (order.firstIndex(of: $0.element.1)!, $0.offset) < (order.firstIndex(of: $1.element.1)!, $1.offset)
                }.map(\.element)
                var used: [UsedRelation] = []
                for (rel, family) in sorted {
                    let style = "\(layerName)_\(rel.name)"
                    if let file = r.styleFiles[rel.name] {
                        styles[style] = try readStyle(file)
                    } else {
                        styles[style] = DefaultStyle.sld(name: style, title: r.tableTitles[rel.name] ?? rel.name, family: family)
                    }
                    used.append(UsedRelation(name: rel.name, style: style))
                }
                for table in r.styleFiles.keys where !relations.contains(where: { $0.name == table }) {
                    throw PublishError.invalid("--style \(table)=…: no table \(table) in the publication")
                }
                infos = ConfigurationTypeInfos(usedData: [UsedData(storedData: sd.id, relations: used)])
                infos.title = title
                infos.abstract = abstract
                infos.crs = crsList(r, sd)
            }
        case .tms, .wmts, .wmsRaster:
            guard sd.type != .vectorDB else {
                throw PublishError.invalid("\(r.kind.rawValue) publishes a ROK4 pyramid; \(sd.id) is VECTOR-DB (build one with passerelle pyramid)")
            }
            if r.kind == .wmsRaster && sd.type != .rok4PyramidRaster {
                throw PublishError.invalid("wms-raster publishes a raster pyramid; \(sd.id) is \(sd.type.rawValue)")
            }
            let levels = (sd.typeInfos?.levels ?? []).map(\.value)
            let numeric = levels.compactMap { Int($0) }
            let top = r.topLevel ?? (numeric.count == levels.count ? numeric.min().map(String.init) : levels.first)
            let bottom = r.bottomLevel ?? (numeric.count == levels.count ? numeric.max().map(String.init) : levels.last)
            guard let top, let bottom else { throw PublishError.invalid("stored data \(sd.id) lists no levels; give --top-level and --bottom-level") }
            for l in [top, bottom] where !levels.isEmpty && !levels.contains(l) {
                throw PublishError.invalid("level \(l) is not a level of \(sd.id) (\(levels.joined(separator: ", ")))")
            }
            var used = UsedData(storedData: sd.id)
            used.topLevel = LevelID(top)
            used.bottomLevel = LevelID(bottom)
            infos = ConfigurationTypeInfos(usedData: [used])
            infos.title = title
            infos.abstract = abstract
            if r.kind == .wmsRaster {
                infos.interpolation = "BICUBIC"
                infos.crs = crsList(r, sd)
            }
        }
        if !r.keywords.isEmpty && r.kind != .wfs { infos.keywords = r.keywords }
        infos.bbox = sd.extent?.bbox

        let configuration = Configuration(id: id, type: type, name: title, layerName: layerName, typeInfos: infos)
        let offering = Offering(id: id, configuration: id, endpoint: endpoint.id, open: r.open)
        return Publication(kind: r.kind, configuration: configuration, offering: offering, endpoint: endpoint, styles: styles)
    }

    /// The relations published: those asked for, in that order, else all of the stored data's.
    static func tables(_ r: PublicationRequest, _ sd: StoredData) throws -> [Relation] {
        let all = sd.typeInfos?.relations ?? []
        guard !all.isEmpty else { throw PublishError.invalid("stored data \(sd.id) lists no relation") }
        if r.tables.isEmpty { return all }
        return try r.tables.map { name in
            guard let rel = all.first(where: { $0.name == name }) else {
                throw PublishError.invalid("no table \(name) in stored data \(sd.id) (\(all.map(\.name).joined(separator: ", ")))")
            }
            return rel
        }
    }

    /// The stored data's CRS first, then the usual web and national ones, then those asked for.
    static func crsList(_ r: PublicationRequest, _ sd: StoredData) -> [String] {
        var out: [String] = []
        for c in [sd.srs].compactMap({ $0 }) + ["EPSG:4326", "EPSG:3857", "EPSG:2154"] + r.crs where !out.contains(c) { out.append(c) }
        return out
    }

    static func chooseEndpoint(_ r: PublicationRequest, type: ServiceType, in snap: ConfigSnapshot) throws -> Endpoint {
        if let id = r.endpoint {
            guard let e = snap.endpoints[id] else {
                throw PublishError.invalid("no endpoint \(id) (known: \(snap.endpoints.keys.sorted().joined(separator: ", ")))")
            }
            guard e.type == type else { throw PublishError.invalid("endpoint \(id) is \(e.type.rawValue); a \(r.kind.rawValue) publication needs a \(type.rawValue) endpoint") }
            if !r.open && e.open { throw PublishError.invalid("a restricted publication needs a private endpoint (open: false); \(id) is open") }
            if r.kind == .tms || r.kind == .wmts, !e.urls.contains(where: { $0.type.uppercased() == r.kind.rawValue.uppercased() }) {
                throw PublishError.invalid("endpoint \(id) has no \(r.kind.rawValue.uppercased()) URL")
            }
            return e
        }
        let candidates = snap.endpoints.values.filter { e in
            e.type == type && e.open == r.open
                && (r.kind != .tms && r.kind != .wmts || e.urls.contains(where: { $0.type.uppercased() == r.kind.rawValue.uppercased() }))
        }.sorted { $0.id < $1.id }
        guard candidates.count == 1 else {
            let kind = r.open ? "open" : "private"
            if candidates.isEmpty { throw PublishError.invalid("no \(kind) \(type.rawValue) endpoint in the config directory; add one in endpoints/") }
            throw PublishError.invalid("several \(kind) \(type.rawValue) endpoints (\(candidates.map(\.id).joined(separator: ", "))): choose one with --endpoint")
        }
        return candidates[0]
    }
}
