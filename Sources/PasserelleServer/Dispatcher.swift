import Config
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OGCCore
import ServiceKit

/// The access log line and the request metrics of one answer.
struct AccessRecorder: Sendable {
    let metrics: ServerMetrics
    let logger: Logger

    func record(method: String, path: String, endpoint: String, operation: String, status: Int, elapsed: Duration,
                keyID: String?, remote: String? = nil, series: ServerMetrics.Series? = nil) {
        if let series { series.record(elapsed) } else {
            metrics.record(endpoint: endpoint, operation: operation, status: status, duration: elapsed)
        }
        logger.info("access", metadata: [
            "method": .string(method), "path": .string(path), "endpoint": .string(endpoint),
            "operation": .string(operation), "status": .stringConvertible(status),
            "ms": .stringConvertible(Int(elapsed.components.seconds * 1000) + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)),
            "key": .string(keyID ?? "-"), "remote": .string(remote ?? "-"),
        ])
    }
}

/// Turns an HTTP request into an OGC request for the right service: finds the endpoint by path, reads the
/// body, decides access, and renders every error as the exception document the client's protocol expects.
public struct Dispatcher: Sendable {
    public let store: ConfigStore
    public let services: ServiceSet
    public let templates: TemplateLibrary
    public let access: AccessControl
    public let metrics: ServerMetrics
    public let logger: Logger
    /// Tile answers kept for `TileFastPathHandler`.
    public let tileResponses: TileResponseCache
    let recorder: AccessRecorder

    public init(store: ConfigStore, services: ServiceSet, templates: TemplateLibrary, metrics: ServerMetrics,
                logger: Logger = Logger(label: "passerelle.http"), tileResponses: TileResponseCache = TileResponseCache()) {
        self.store = store; self.services = services; self.templates = templates
        self.access = AccessControl(); self.metrics = metrics; self.logger = logger
        self.tileResponses = tileResponses
        self.recorder = AccessRecorder(metrics: metrics, logger: logger)
    }

    /// Finds the endpoint whose path is a prefix of the request path (longest first).
    static func route(_ path: String, in snapshot: ConfigSnapshot) -> (endpoint: Endpoint, urlType: String, subpath: String)? {
        for r in snapshot.routes {
            if path == r.path || path == r.path + "/" {
                return (r.endpoint, r.urlType, "")
            }
            if path.hasPrefix(r.path + "/") {
                return (r.endpoint, r.urlType, String(path.dropFirst(r.path.count)))
            }
        }
        return nil
    }

    public func handle(_ request: Request, remoteHost: String?) async -> Response {
        let start = ContinuousClock.now
        let snapshot = store.current
        let path = request.uri.path
        guard let (endpoint, urlType, subpath) = Self.route(path, in: snapshot) else {
            return Response.text("Not found\n", contentType: "text/plain; charset=utf-8", status: .notFound)
        }
        let service: any OGCService = services.service(for: endpoint, urlType: urlType) ?? UnavailableService()

        // Parameters. A query string that does not decode is answered with the service's exception format.
        var kvp = KVP()
        var ogc = OGCRequest(method: request.method, subpath: subpath, headers: request.headers,
                             endpointURL: Self.baseURL(request, snapshot: snapshot) + endpointPathAsRequested(path, subpath))
        let context0 = ServiceContext(snapshot: snapshot, endpoint: endpoint, urlType: urlType, layers: [], visibilityKey: "",
                                      templates: templates, logger: logger)
        var operation = "-"
        var keyID: String?
        var variesByKey = false
        var response: Response
        do {
            kvp = try KVP(query: request.uri.query ?? "")
            ogc.kvp = kvp
            operation = kvp["REQUEST"] ?? (subpath.isEmpty ? "-" : "Tile")
            if request.method == .post {
                ogc.body = try await readBody(request, limit: snapshot.settings.limits.maxBodyBytes)
                // Form-encoded POST (KVP in the body), as some clients send; its apikey counts like the query's.
                if let ct = request.headers[.contentType]?.lowercased(), ct.hasPrefix("application/x-www-form-urlencoded"),
                   let body = ogc.body {
                    let form = try KVP(query: String(buffer: body))
                    for item in form.items { kvp.set(item.name, item.value) }
                    ogc.kvp = kvp
                    ogc.body = nil
                    operation = kvp["REQUEST"] ?? operation
                }
            }
            let decision = try access.decide(snapshot: snapshot, endpoint: endpoint, kvp: kvp, headers: request.headers)
            keyID = decision.keyID
            ogc.persistentQuery = decision.persistentQuery
            var context = context0
            context.layers = decision.layers
            context.visibilityKey = decision.visibilityKey
            if request.method == .head {
                ogc.method = .get
            }
            response = try await service.handle(ogc, context)
            variesByKey = decision.variesByKey
            if decision.variesByKey {
                response.headers[.cacheControl] = "private, no-store"
                response.headers[.vary] = "apikey, X-Api-Key"
            }
        } catch let e as OGCError {
            response = service.errorResponse(e, for: ogc, context0)
        } catch let e as any OGCErrorConvertible {
            logger.error("request failed", metadata: ["path": .string(path), "error": .string("\(e)")])
            response = service.errorResponse(e.ogcError, for: ogc, context0)
        } catch is CancellationError {
            // The client left (`ConnectionContext.cancelledWhenClientLeaves`): nobody reads this answer.
            response = service.errorResponse(OGCError(.noApplicableCode, "The client closed the connection", status: 499),
                                             for: ogc, context0)
        } catch {
            logger.error("request failed", metadata: ["path": .string(path), "error": .string("\(error)")])
            let e = OGCError(.noApplicableCode, "Internal error while processing the request")
            response = service.errorResponse(e, for: ogc, context0)
        }
        if endpoint.cors ?? true { Self.addCORS(&response.headers) }
        if response.status == .serviceUnavailable { response.headers[.retryAfter] = "2" }
        if request.method == .head { response = response.createHeadResponse() }   // keeps Content-Length
        if TileResponseCache.keeps(method: request.method, operation: operation, response: response, variesByKey: variesByKey),
           let body = try? await response.collectBody() {
            response.body = ResponseBody(byteBuffer: body)
            let target = request.head.path ?? path   // as sent: the fast path looks it up by the same bytes
            var headers = response.headers
            headers[.server] = "Passerelle"
            tileResponses.put(target, .init(headers: headers, body: body, generation: snapshot.generation,
                                            endpoint: endpoint.id, operation: operation, path: path, storedAt: .now,
                                            series: metrics.series(endpoint: endpoint.id, operation: operation, status: 200)))
        }
        recorder.record(method: request.method.rawValue, path: path, endpoint: endpoint.id, operation: operation,
                        status: Int(response.status.code), elapsed: ContinuousClock.now - start, keyID: keyID, remote: remoteHost)
        return response
    }

    private func endpointPathAsRequested(_ path: String, _ subpath: String) -> String {
        var p = String(path.dropLast(subpath.count))
        while p.hasSuffix("/") && p.count > 1 { p.removeLast() }
        return p
    }

    private func readBody(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let len = request.headers[.contentLength].flatMap(Int.init), len > limit {
            throw OGCError(.invalidParameterValue, "The request body is larger than \(limit) bytes", status: 413)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw OGCError(.invalidParameterValue, "The request body is larger than \(limit) bytes", status: 413)
        }
    }

    /// The URL the client used to reach the server (`public_url` when configured).
    static func baseURL(_ request: Request, snapshot: ConfigSnapshot) -> String {
        if var u = snapshot.settings.publicURL {
            while u.hasSuffix("/") { u.removeLast() }
            return u
        }
        let forwardedProto = HTTPField.Name("X-Forwarded-Proto").flatMap { request.headers[$0] }
        let scheme = forwardedProto ?? request.uri.scheme?.rawValue ?? "http"
        let forwardedHost = HTTPField.Name("X-Forwarded-Host").flatMap { request.headers[$0] }
        let host = forwardedHost ?? request.head.authority ?? "localhost"
        // A Host header is client input: keep only characters a host[:port] may hold.
        let safe = host.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-:[]".unicodeScalars.contains($0)) }
        return "\(scheme == "https" ? "https" : "http")://\(safe ? host : "localhost")"
    }

    static func addCORS(_ headers: inout HTTPFields) {
        headers[.accessControlAllowOrigin] = "*"
        headers[.accessControlExposeHeaders] = "ETag, Last-Modified, Content-Length, Content-Type"
    }

    /// The answer to a CORS preflight.
    static func preflight() -> Response {
        var h = HTTPFields()
        h[.accessControlAllowOrigin] = "*"
        h[.accessControlAllowMethods] = "GET, POST, HEAD, OPTIONS"
        h[.accessControlAllowHeaders] = "Content-Type, apikey, X-Api-Key, Authorization, If-None-Match, If-Modified-Since"
        h[.accessControlMaxAge] = "86400"
        h[.contentLength] = "0"
        return Response(status: .noContent, headers: h)
    }
}
