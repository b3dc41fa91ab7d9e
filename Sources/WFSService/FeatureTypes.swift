import Config
import OGCCore
import VectorData

/// A published feature type: one relation of a WFS configuration, named `{layer_name}:{public_name or native_name}`.
public struct FeatureType: Sendable {
    public var prefix: String
    public var localName: String
    public var namespaceURI: String
    public var relation: UsedRelation
    public var usedData: UsedData
    public var configuration: Configuration
    public var storedData: StoredData

    public var qualifiedName: String { "\(prefix):\(localName)" }
    public var table: String { relation.table }
}

/// The feature types a request may see (from `context.layers`, access control already applied).
struct FeatureTypeCatalog: Sendable {
    var types: [FeatureType]

    init(layers: [Published], endpointURL: String) {
        var out: [FeatureType] = []
        for p in layers where p.configuration.type == .wfs {
            let c = p.configuration
            for u in c.typeInfos.usedData {
                guard let sd = p.storedData[u.storedData] else { continue }
                for r in u.relations ?? [] where !r.table.isEmpty {
                    out.append(FeatureType(prefix: c.layerName, localName: r.exposedName,
                                           namespaceURI: FeatureTypeCatalog.namespace(endpointURL: endpointURL, layerName: c.layerName),
                                           relation: r, usedData: u, configuration: c, storedData: sd))
                }
            }
        }
        types = out
    }

    /// The namespace URI of a configuration's feature types.
    static func namespace(endpointURL: String, layerName: String) -> String {
        var base = endpointURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + layerName
    }

    /// Finds a type by `prefix:name`, by its bare name when unambiguous, or by namespace URI and local name
    /// (XML requests). Unknown → InvalidParameterValue at `locator`.
    func resolve(_ name: String, namespaceURI: String? = nil, locator: String) throws(OGCError) -> FeatureType {
        let trimmed = name.trimmingSpaces
        if let ns = namespaceURI, let colon = trimmed.firstIndex(of: ":") {
            let local = String(trimmed[trimmed.index(after: colon)...])
            if let t = types.first(where: { $0.namespaceURI == ns && $0.localName == local }) { return t }
        }
        if let t = types.first(where: { $0.qualifiedName == trimmed }) { return t }
        if !trimmed.contains(":") {
            let matches = types.filter { $0.localName == trimmed }
            if matches.count == 1 { return matches[0] }
        }
        throw OGCError.invalid(locator, "Unknown feature type \(trimmed)")
    }

    /// The types of a typeNames list, in order, without duplicates.
    func resolve(list: [String], locator: String) throws(OGCError) -> [FeatureType] {
        var out: [FeatureType] = []
        for n in list where !n.isEmpty {
            let t = try resolve(n, locator: locator)
            if !out.contains(where: { $0.qualifiedName == t.qualifiedName }) { out.append(t) }
        }
        guard !out.isEmpty else { throw OGCError.missing(locator) }
        return out
    }
}
