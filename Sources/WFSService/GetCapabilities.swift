import Config
import Geo
import Hummingbird
import OGCCore
import ServiceKit

/// What the filter parsers and the data sources implement, advertised as such.
enum FilterCapabilities {
    static let comparison20 = ["PropertyIsEqualTo", "PropertyIsNotEqualTo", "PropertyIsLessThan", "PropertyIsGreaterThan",
                               "PropertyIsLessThanOrEqualTo", "PropertyIsGreaterThanOrEqualTo", "PropertyIsLike",
                               "PropertyIsNull", "PropertyIsBetween"]
    static let comparison11 = ["EqualTo", "NotEqualTo", "LessThan", "GreaterThan", "LessThanEqualTo", "GreaterThanEqualTo",
                               "Like", "NullCheck", "Between"]
    static let spatial = ["BBOX", "Equals", "Disjoint", "Intersects", "Touches", "Crosses", "Within", "Contains", "Overlaps",
                          "DWithin", "Beyond"]
    static let geometryOperands = ["gml:Envelope", "gml:Point", "gml:LineString", "gml:Polygon", "gml:MultiPoint",
                                   "gml:MultiCurve", "gml:MultiSurface"]
    /// Filter 1.1 only lists single geometries (the multi-geometries are parsed all the same).
    static let geometryOperands11 = ["gml:Envelope", "gml:Point", "gml:LineString", "gml:Polygon"]
    static let conformance: [(String, Bool)] = [
        ("ImplementsQuery", true), ("ImplementsAdHocQuery", true), ("ImplementsFunctions", false),
        ("ImplementsResourceId", true), ("ImplementsMinStandardFilter", true), ("ImplementsStandardFilter", true),
        ("ImplementsMinSpatialFilter", true), ("ImplementsSpatialFilter", true), ("ImplementsMinTemporalFilter", false),
        ("ImplementsTemporalFilter", false), ("ImplementsVersionNav", false), ("ImplementsSorting", true),
        ("ImplementsExtendedOperators", false), ("ImplementsMinimumXPath", false), ("ImplementsSchemaElementFunc", false),
    ]
}

extension WFSService {
    func getCapabilities(_ version: WFSVersion, _ request: OGCRequest, _ context: ServiceContext,
                         _ catalog: FeatureTypeCatalog) async throws -> Response {
        let contentType = "application/xml"
        return try await capabilitiesCache.response(DocumentCache.key(request, context, version: version.rawValue), request,
                                                    contentType: contentType) {
            let ctx = try await capabilitiesContext(version, request, context, catalog)
            do {
                return Array(try context.templates.render("wfs-capabilities-\(version.rawValue)", ctx).utf8)
            } catch {
                throw OGCError(.noApplicableCode, "The capabilities template is missing: \(error)")
            }
        }
    }

    func capabilitiesContext(_ version: WFSVersion, _ request: OGCRequest, _ context: ServiceContext,
                             _ catalog: FeatureTypeCatalog) async throws -> [String: Any] {
        let service = context.endpoint.service
        let contact = service?.contact
        let online = request.onlineResource
        let limits = context.limits
        let countDefault = limits.defaultFeatures
        var types: [[String: Any]] = []
        var namespaces: [String: String] = [:]
        for t in catalog.types {
            namespaces[t.prefix] = t.namespaceURI
            var srid = t.storedData.srs.flatMap { CRSName.parse($0)?.epsgCode } ?? 4326
            var wgs84 = t.configuration.typeInfos.bbox?.bbox
            do {
                let src = try await source(for: t)
                let schema = try await schemas.schema(for: t, source: src, generation: context.snapshot.generation)
                srid = schema.table.srid
                wgs84 = schema.wgs84
            } catch {
                context.logger.warning("WFS capabilities: no schema for \(t.qualifiedName): \(error)")
            }
            var other: [String] = []
            for c in (t.configuration.typeInfos.crs ?? []) + ["EPSG:3857", "EPSG:2154", "EPSG:4326"] {
                guard let n = CRSName.parse(c), let code = n.epsgCode, code != srid else { continue }
                let urn = CRSName.epsg(code).urn
                if !other.contains(urn) { other.append(urn) }
            }
            let box = wgs84 ?? BBox(minX: -180, minY: -90, maxX: 180, maxY: 90)
            let summary = FeatureTypeSummary(
                version: version.rawValue, prefix: t.prefix, namespace: t.namespaceURI, name: t.qualifiedName,
                title: t.relation.title ?? t.localName, abstract: t.relation.abstract ?? "", keywords: t.relation.keywords ?? [],
                defaultCRS: CRSName.epsg(srid).urn, otherCRS: other, outputFormats: OutputFormat.advertised(version),
                bbox: [num(box.minX), num(box.minY), num(box.maxX), num(box.maxY)],
                metadataURLs: (t.configuration.metadata ?? []).map {
                    FeatureTypeSummary.Link(url: $0.url, format: metadataFormat11($0.format), type11: metadataType11($0.type))
                })
            let xml = try featureTypeFragments.value(summary, generation: context.snapshot.generation) {
                try context.templates.render("wfs-featuretype-\(version.rawValue)", summary.templateContext)
            }
            types.append(["xml": xml])
        }
        let formats = OutputFormat.advertised(version)
        let typeNames = catalog.types.map(\.qualifiedName)
        var operations: [[String: Any]] = [
            ["name": "GetCapabilities", "onlineResource": online, "parameters": [
                ["name": "AcceptVersions", "values": ["2.0.0", "1.1.0"]],
                ["name": "AcceptFormats", "values": ["text/xml"]],
            ]],
            ["name": "DescribeFeatureType", "onlineResource": online, "parameters": [
                ["name": "outputFormat", "values": [version.gmlFormat]],
            ]],
            ["name": "GetFeature", "onlineResource": online, "parameters": [
                ["name": "resultType", "values": ["results", "hits"]],
                ["name": "outputFormat", "values": formats],
            ] + (version == .v110 && !typeNames.isEmpty ? [["name": "typeName", "values": typeNames]] : [])],
        ]
        if version == .v200 {
            operations += [
                ["name": "GetPropertyValue", "onlineResource": online, "parameters": [
                    ["name": "resultType", "values": ["results", "hits"]],
                    ["name": "outputFormat", "values": [version.gmlFormat]],
                ]],
                ["name": "ListStoredQueries", "onlineResource": online, "parameters": [] as [Any]],
                ["name": "DescribeStoredQueries", "onlineResource": online, "parameters": [] as [Any]],
            ]
        }
        let constraints: [(String, String)] = [
            ("ImplementsBasicWFS", "TRUE"), ("ImplementsTransactionalWFS", "FALSE"), ("ImplementsLockingWFS", "FALSE"),
            ("KVPEncoding", "TRUE"), ("XMLEncoding", "TRUE"), ("SOAPEncoding", "FALSE"), ("ImplementsInheritance", "FALSE"),
            ("ImplementsRemoteResolve", "FALSE"), ("ImplementsResultPaging", "TRUE"), ("ImplementsStandardJoins", "FALSE"),
            ("ImplementsSpatialJoins", "FALSE"), ("ImplementsTemporalJoins", "FALSE"), ("ImplementsFeatureVersioning", "FALSE"),
            ("ManageStoredQueries", "FALSE"), ("PagingIsTransactionSafe", "FALSE"), ("CountDefault", String(countDefault)),
        ]
        return [
            "title": service?.title ?? context.endpoint.name,
            "abstract": service?.abstract ?? "",
            "hasKeywords": !(service?.keywords ?? []).isEmpty, "keywords": service?.keywords ?? [],
            "fees": service?.fees ?? "none", "accessConstraints": service?.accessConstraints ?? "none",
            "providerName": contact?.organization ?? context.endpoint.name,
            "providerSite": contact?.url ?? "", "person": contact?.person ?? "", "position": contact?.position ?? "",
            "phone": contact?.phone ?? "", "address": contact?.address ?? "", "city": contact?.city ?? "",
            "postalCode": contact?.postalCode ?? "", "country": contact?.country ?? "", "email": contact?.email ?? "",
            "namespaces": namespaces.sorted { $0.key < $1.key }.map { ["prefix": $0.key, "uri": $0.value] },
            "operations": operations,
            "constraints": constraints.map { ["name": $0.0, "value": $0.1] },
            "countDefault": String(countDefault),
            "featureTypes": types,
            "conformance": FilterCapabilities.conformance.map { ["name": $0.0, "value": $0.1 ? "TRUE" : "FALSE"] },
            "comparisonOperators": FilterCapabilities.comparison20,
            "comparisonOperators11": FilterCapabilities.comparison11,
            "spatialOperators": FilterCapabilities.spatial,
            "geometryOperands": version == .v200 ? FilterCapabilities.geometryOperands : FilterCapabilities.geometryOperands11,
        ]
    }

    private func num(_ d: Double) -> String { NumberFormatting.string(d, decimals: 7) }

    /// WFS 1.1.0 MetadataURL formats: text/xml, text/html, text/sgml, text/plain.
    private func metadataFormat11(_ f: String) -> String {
        let k = f.lowercased()
        if ["text/html", "text/sgml", "text/plain"].contains(k) { return k }
        return "text/xml"
    }

    /// WFS 1.1.0 MetadataURL types: TC211, FGDC, 19115, 19139.
    private func metadataType11(_ t: String) -> String {
        switch t {
        case "FGDC": "FGDC"
        case "TC211": "TC211"
        case "19139": "19139"
        default: "19115"
        }
    }
}

/// What the capabilities show of one feature type: the key of its rendered piece (`GenerationCache`), and the
/// context of the `wfs-featuretype-*` template.
struct FeatureTypeSummary: Hashable, Sendable {
    struct Link: Hashable, Sendable { var url, format, type11: String }
    var version, prefix, namespace, name, title, abstract: String
    var keywords: [String]
    var defaultCRS: String
    var otherCRS, outputFormats: [String]
    /// west, south, east, north, formatted.
    var bbox: [String]
    var metadataURLs: [Link]

    var templateContext: [String: Any] {
        [
            "prefix": prefix, "namespace": namespace, "name": name, "title": title, "abstract": abstract,
            "hasKeywords": !keywords.isEmpty, "keywords": keywords, "defaultCRS": defaultCRS, "otherCRS": otherCRS,
            "outputFormats": outputFormats,
            "bbox": ["west": bbox[0], "south": bbox[1], "east": bbox[2], "north": bbox[3]],
            "metadataURLs": metadataURLs.map { ["url": $0.url, "format": $0.format, "type11": $0.type11] },
        ]
    }
}
