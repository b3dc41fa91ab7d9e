import OGCCore
import Hummingbird
import ServiceKit

/// The server's one responder: status routes, CORS preflight, then OGC dispatch.
struct PasserelleResponder: HTTPResponder {
    typealias Context = ConnectionContext
    let dispatcher: Dispatcher
    let status: StatusEndpoints

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        if request.method == .options { return Dispatcher.preflight() }
        if request.method == .get || request.method == .head, let r = await status.respond(path: request.uri.path) {
            var r = r
            Dispatcher.addCORS(&r.headers)
            return r
        }
        if request.method == .get || request.method == .head {
            let path = request.uri.path
            if path == "/" { return landingPage(request) }
            if path == "/viewer" { return viewerPage(request) }
            if path.hasPrefix("/viewer/"), let r = ViewerPage(access: dispatcher.access).asset(String(path.dropFirst("/viewer/".count))) {
                return r
            }
        }
        guard [.get, .head, .post].contains(request.method) else {
            return .text("Method not allowed\n", contentType: "text/plain; charset=utf-8", status: .methodNotAllowed,
                         headers: [.allow: "GET, HEAD, POST, OPTIONS"])
        }
        let dispatcher = dispatcher, remoteHost = context.remoteHost
        return await context.cancelledWhenClientLeaves { await dispatcher.handle(request, remoteHost: remoteHost) }
    }

    /// `/viewer?offering=ID`: the offering on a map (`ViewerPage`).
    private func viewerPage(_ request: Request) -> Response {
        let snap = dispatcher.store.current
        let kvp = (try? KVP(query: request.uri.query ?? "")) ?? KVP()
        var r = ViewerPage(access: dispatcher.access)
            .page(snap, baseURL: Dispatcher.baseURL(request, snapshot: snap), kvp: kvp, headers: request.headers)
        if request.method == .head { r.body = ResponseBody() }
        return r
    }

    /// `/`: the HTML page of what is published (`LandingPage`); private, not cached, when a key is presented.
    private func landingPage(_ request: Request) -> Response {
        let snap = dispatcher.store.current
        let kvp = (try? KVP(query: request.uri.query ?? "")) ?? KVP()
        let html = LandingPage(access: dispatcher.access)
            .render(snap, baseURL: Dispatcher.baseURL(request, snapshot: snap), kvp: kvp, headers: request.headers)
        var r = Response.text(html, contentType: "text/html; charset=utf-8")
        r.headers[.cacheControl] = "no-cache"
        if AccessControl.presentedKey(kvp: kvp, headers: request.headers) != nil {
            r.headers[.cacheControl] = "private, no-store"
            r.headers[.vary] = "apikey, X-Api-Key"
        }
        if request.method == .head { r.body = ResponseBody() }
        return r
    }
}
