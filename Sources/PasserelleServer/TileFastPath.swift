import Config
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1
import NIOHTTPTypes
import Synchronization
import TileServices

/// Whole answers to public tile GETs, by request target, kept for one second: while fresh, a repeated GET of the
/// same tile is answered on the connection's event loop by `TileFastPathHandler`, without the request going
/// through the async responder (what the HTTP layer costs per request is most of what a cached tile costs).
/// Only 200 answers of open tile endpoints with `Cache-Control: public` are kept, for the config generation that
/// made them.
public final class TileResponseCache: Sendable {
    struct Entry: Sendable {
        var headers: HTTPFields
        var body: ByteBuffer
        var generation: Int
        var endpoint: String
        var operation: String
        /// The path without the query, for the access log.
        var path: String
        var storedAt: ContinuousClock.Instant
        /// Its request metrics.
        var series: ServerMetrics.Series
        /// The response head with the `Date` of `dateSecond`, remade when the second changes.
        var head = HTTPResponse(status: .ok)
        var dateSecond: Int64 = -1
    }
    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }
    private let state = Mutex(State())
    let freshness: Duration
    let maxBytes: Int

    public init(freshness: Duration = .seconds(1), maxBytes: Int = 32 << 20) {
        self.freshness = freshness; self.maxBytes = maxBytes
    }

    func get(_ target: String, generation: Int, now: ContinuousClock.Instant = .now) -> Entry? {
        let second = Int64(time(nil))
        return state.withLock { s in
            guard var e = s.entries[target], e.generation == generation, now - e.storedAt < freshness else { return nil }
            if e.dateSecond != second {
                var headers = e.headers
                headers[.date] = HTTPDateCache.now()
                e.head = HTTPResponse(status: .ok, headerFields: headers)
                e.dateSecond = second
                s.entries[target] = e
            }
            return e
        }
    }

    /// What an entry counts against `maxBytes`: its body, its key, and about what its head takes.
    private static func cost(_ target: String, _ e: Entry) -> Int { e.body.readableBytes + target.utf8.count + 256 }

    func put(_ target: String, _ e: Entry) {
        let cost = Self.cost(target, e)
        guard cost <= maxBytes / 64 else { return }
        state.withLock { s in
            if let old = s.entries[target] { s.bytes -= Self.cost(target, old) }
            if s.bytes + cost > maxBytes {
                // Everything kept is at most a second old: starting again costs one read per tile.
                s.entries.removeAll(keepingCapacity: true)
                s.bytes = 0
            }
            s.entries[target] = e
            s.bytes += cost
        }
    }

    /// Whether the dispatcher may keep this answer.
    static func keeps(method: HTTPRequest.Method, operation: String, response: Response, variesByKey: Bool) -> Bool {
        method == .get && !variesByKey && response.status == .ok
            && (operation == "Tile" || operation.lowercased() == "gettile")
            && (response.headers[.cacheControl]?.hasPrefix("public") ?? false)
    }
}

/// Answers GETs found fresh in the `TileResponseCache` on the event loop; passes everything else on. A request
/// is answered here only when no earlier request of the connection is still being answered (responses keep
/// the order of requests), and only plain GETs: conditional requests, HEAD and anything with a body go on.
final class TileFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let cache: TileResponseCache
    private let store: ConfigStore
    private let access: AccessRecorder
    /// Requests passed on whose response has not ended yet.
    private var inFlight = 0
    /// The cached answer of the request being read (its body and end are swallowed).
    private var answering: (entry: TileResponseCache.Entry, start: ContinuousClock.Instant)?

    init(cache: TileResponseCache, store: ConfigStore, access: AccessRecorder) {
        self.cache = cache; self.store = store; self.access = access
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            if inFlight == 0, request.method == .get, let target = request.path, Self.plain(request.headerFields),
               let entry = cache.get(target, generation: store.generation) {
                answering = (entry, .now)
                return
            }
            inFlight += 1
            context.fireChannelRead(data)
        case .body:
            if answering == nil { context.fireChannelRead(data) }
        case .end:
            guard let (entry, start) = answering else { context.fireChannelRead(data); return }
            answering = nil
            context.write(wrapOutboundOut(.head(entry.head)), promise: nil)
            context.write(wrapOutboundOut(.body(entry.body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            access.record(method: "GET", path: entry.path, endpoint: entry.endpoint, operation: entry.operation, status: 200,
                          elapsed: ContinuousClock.now - start, keyID: nil, series: entry.series)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { inFlight = max(0, inFlight - 1) }
        context.write(data, promise: promise)
    }

    /// No conditional request, no range, no keep-alive change, no body.
    static func plain(_ h: HTTPFields) -> Bool {
        h[.ifNoneMatch] == nil && h[.ifModifiedSince] == nil && h[.range] == nil && h[.connection] == nil
            && h[.contentLength] == nil && h[.transferEncoding] == nil
    }
}

/// `Date` header values, formatted once a second.
enum HTTPDateCache {
    private static let cached = Mutex<(second: Int64, value: String)>((-1, ""))

    static func now() -> String {
        let second = Int64(time(nil))
        return cached.withLock { c in
            if c.second != second { c = (second, TileHTTP.httpDate(second)) }
            return c.value
        }
    }
}

/// HTTP/1.1 child channels with the tile fast path placed after Hummingbird's connection state handler (which
/// then sees every request and response, for keep-alive and the idle timeout).
struct FastPathHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let makeHandler: @Sendable () -> TileFastPathHandler

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let ops = channel.pipeline.syncOperations
            let state = try ops.context(handlerType: HTTPConnectionStateHandler.self)
            try ops.addHandler(makeHandler(), position: .after(state.handler))
            let codec = try ops.context(handlerType: HTTP1ToHTTPServerCodec.self)
            try ops.addHandler(ConnectionCloseHandler(), position: .before(codec.handler))
            try ops.addHandler(ClientDepartureHandler(), position: .first)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
