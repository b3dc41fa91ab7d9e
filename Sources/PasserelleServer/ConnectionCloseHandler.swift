import NIOCore
import NIOHTTP1

/// Closes the connection after the answer when the request does not keep it alive: HTTP/1.0 without
/// `Connection: keep-alive` (ApacheBench, old harvesters, scripts), or `Connection: close` in HTTP/1.1. The
/// answer says `Connection: close`. Hummingbird's HTTP/1 channel works on HTTP types, which carry neither the
/// version nor that header, and would otherwise hold such connections until the idle timeout. Sits before the
/// HTTP1-to-HTTP-types codec (`FastPathHTTP1Channel`), so that it sees every answer, the tile fast path's too.
final class ConnectionCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// For each request read and not yet answered, in order (pipelining): whether to close after its answer.
    private var closeAfter: [Bool] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { closeAfter.append(!head.isKeepAlive) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where closeAfter.first == true:
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where !closeAfter.isEmpty:
            if closeAfter.removeFirst() {
                let loopBound = context.loopBound
                context.writeAndFlush(data).whenComplete { _ in loopBound.value.close(promise: nil) }
                promise?.succeed()
            } else {
                context.write(data, promise: promise)
            }
        default:
            context.write(data, promise: promise)
        }
    }
}
