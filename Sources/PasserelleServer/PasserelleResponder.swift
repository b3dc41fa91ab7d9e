import Hummingbird
import ServiceKit

/// The server's one responder: status routes, CORS preflight, then OGC dispatch.
struct PasserelleResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let dispatcher: Dispatcher
    let status: StatusEndpoints

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        if request.method == .options { return Dispatcher.preflight() }
        if request.method == .get || request.method == .head, let r = await status.respond(path: request.uri.path) {
            var r = r
            Dispatcher.addCORS(&r.headers)
            return r
        }
        guard [.get, .head, .post].contains(request.method) else {
            return .text("Method not allowed\n", contentType: "text/plain; charset=utf-8", status: .methodNotAllowed,
                         headers: [.allow: "GET, HEAD, POST, OPTIONS"])
        }
        return await dispatcher.handle(request, remoteHost: nil)
    }
}
