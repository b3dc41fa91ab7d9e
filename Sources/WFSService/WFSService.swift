import Config
import Hummingbird
import Logging
import OGCCore
import SafeXML
import ServiceKit
import VectorData

/// WFS 2.0.0 and 1.1.0 over the WFS configurations published on an endpoint.
///
/// Created once by the server with the vector source provider; each request brings its `ServiceContext`
/// (snapshot, visible offerings, templates).
public struct WFSService: OGCService {
    let sources: any VectorSourceProvider
    let schemas = SchemaCache()
    /// Each feature type's piece of the capabilities, kept across reloads (10,000 layers: an edit re-renders one).
    let featureTypeFragments = GenerationCache<FeatureTypeSummary, String>()
    let capabilitiesCache = DocumentCache()

    public init(sources: any VectorSourceProvider) {
        self.sources = sources
    }

    public func handle(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        let catalog = FeatureTypeCatalog(layers: context.layers, endpointURL: request.endpointURL)
        if request.method == .post, let body = request.body, body.readableBytes > 0 {
            return try await handleXML(body, request, context, catalog)
        }
        let kvp = request.kvp
        // SERVICE is mandatory in every KVP request (WFS 2.0.0 Table 7, OWS Common 1.1 §7.2.1).
        guard let s = kvp.nonEmpty("SERVICE") else { throw OGCError.missing("service") }
        if s.uppercased() != "WFS" {
            throw OGCError.invalid("service", "This endpoint serves WFS, not \(s.prefix(20))")
        }
        guard let op = kvp.nonEmpty("REQUEST") else { throw OGCError.missing("request") }
        if op.equalsIgnoringCase("GetCapabilities") {
            let version = try WFSVersion.negotiate(acceptVersions: kvp.list("ACCEPTVERSIONS"), version: kvp.nonEmpty("VERSION"))
            return try await getCapabilities(version, request, context, catalog)
        }
        let version = try operationVersion(kvp.nonEmpty("VERSION"))
        switch op.lowercased() {
        case "describefeaturetype":
            let names = kvp.nonEmpty("TYPENAMES") ?? kvp.nonEmpty("TYPENAME")
            let types = try names.map { n throws(OGCError) in
                try catalog.resolve(list: n.split(separator: ",").map { String($0).trimmingSpaces }, locator: version.typeNamesParameter)
            } ?? catalog.types
            return try await describeFeatureType(types, version, kvp.nonEmpty("OUTPUTFORMAT"), request, context)
        case "getfeature":
            let req = try GetFeatureRequest.fromKVP(kvp, version: version, catalog: catalog, limits: context.limits)
            return try await getFeature(req, request, context)
        case "getpropertyvalue":
            guard version == .v200 else { throw OGCError(.operationNotSupported, locator: "request", "GetPropertyValue is a WFS 2.0.0 operation") }
            let req = try GetFeatureRequest.fromKVP(kvp, version: version, catalog: catalog, limits: context.limits, propertyValue: true)
            return try await getPropertyValue(req, request, context)
        case "liststoredqueries":
            return listStoredQueries(version, catalog)
        case "describestoredqueries":
            return try describeStoredQueries(version, catalog, ids: kvp.list("STOREDQUERY_ID"))
        case "transaction", "lockfeature", "getfeaturewithlock", "createstoredquery", "dropstoredquery", "getgmlobject":
            throw OGCError(.operationNotSupported, locator: "request", "\(op.prefix(40)) is not supported by this service")
        default:
            throw OGCError(.operationNotSupported, locator: "request", "Unknown request \(op.prefix(40))")
        }
    }

    func operationVersion(_ v: String?) throws(OGCError) -> WFSVersion {
        guard let v else { return .v200 }
        guard let version = WFSVersion.parse(v) else {
            throw OGCError.invalid("version", "Version \(v.prefix(20)) is not served; use 2.0.0 or 1.1.0")
        }
        return version
    }

    func handleXML(_ body: ByteBuffer, _ request: OGCRequest, _ context: ServiceContext, _ catalog: FeatureTypeCatalog) async throws -> Response {
        let bytes = Array(body.readableBytesView)
        guard bytes.count <= context.limits.maxBodyBytes else {
            throw OGCError(.operationParsingFailed, "The request body is larger than \(context.limits.maxBodyBytes) bytes", status: 413)
        }
        let root = try SafeXML.parse(bytes, maxDepth: context.limits.maxFilterDepth + 32, maxBytes: context.limits.maxBodyBytes)
        if let s = root.attribute("service"), s.uppercased() != "WFS" {
            throw OGCError.invalid("service", "This endpoint serves WFS")
        }
        if root.name == "GetCapabilities" {
            let accept = root.child("AcceptVersions")?.children.map(\.trimmedText)
            return try await getCapabilities(try WFSVersion.negotiate(acceptVersions: accept, version: root.attribute("version")), request, context, catalog)
        }
        let version = try operationVersion(root.attribute("version"))
        switch root.name {
        case "GetFeature":
            return try await getFeature(try GetFeatureRequest.fromXML(root, version: version, catalog: catalog, limits: context.limits), request, context)
        case "GetPropertyValue":
            return try await getPropertyValue(try GetFeatureRequest.fromXML(root, version: version, catalog: catalog, limits: context.limits), request, context)
        case "DescribeFeatureType":
            var types: [FeatureType] = []
            for e in root.children where e.name == "TypeName" {
                let r = e.resolve(qname: e.trimmedText)
                types.append(try catalog.resolve(e.trimmedText, namespaceURI: r.namespace, locator: version.typeNamesParameter))
            }
            return try await describeFeatureType(types.isEmpty ? catalog.types : types, version, root.attribute("outputFormat"), request, context)
        case "ListStoredQueries":
            return listStoredQueries(version, catalog)
        case "DescribeStoredQueries":
            return try describeStoredQueries(version, catalog, ids: root.children.filter { $0.name == "StoredQueryId" }.map(\.trimmedText))
        default:
            throw OGCError(.operationNotSupported, locator: root.name, "Unsupported request \(root.qualifiedName)")
        }
    }

    public func exceptionFlavour(for request: OGCRequest, _ context: ServiceContext) -> ExceptionFlavour {
        var v = request.kvp.nonEmpty("VERSION").flatMap(WFSVersion.parse)
        if v == nil, let accept = request.kvp.list("ACCEPTVERSIONS") { v = accept.lazy.compactMap(WFSVersion.parse).first }
        if v == nil, request.method == .post, let body = request.body {
            // A cheap look at the root element's version attribute.
            let head = String(decoding: body.readableBytesView.prefix(2048), as: UTF8.self)
            if head.contains("version=\"1.1.0\"") || head.contains("version='1.1.0'") { v = .v110 }
        }
        return (v ?? .v200).exceptionFlavour
    }

    /// The vector source of a type's stored data; failures to reach it are the server's, not the client's.
    func source(for type: FeatureType) async throws -> any VectorSource {
        try await dataCall(otherwise: OGCError(.operationProcessingFailed, "The data of \(type.qualifiedName) is not available", status: 503)) {
            try await sources.source(for: type.storedData)
        }
    }

    /// Runs a data call: client errors and store failures pass through (the dispatcher logs a store failure and
    /// answers the OGC exception it maps itself to: an unreachable store is a 503); any other failure becomes
    /// `otherwise`, an operation that could not be processed rather than an internal error.
    func dataCall<T: Sendable>(otherwise: @autoclosure () -> OGCError = OGCError(.operationProcessingFailed, "The query could not be processed"),
                               _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as OGCError {
            throw e
        } catch let e as any OGCErrorConvertible {
            throw e
        } catch {
            throw otherwise()
        }
    }
}

extension String {
    func equalsIgnoringCase(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
