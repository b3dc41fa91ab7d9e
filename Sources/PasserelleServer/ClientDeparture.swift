import NIOCore
import Synchronization

/// Which connections run a request, and how to cancel it when its client leaves. A client that gives up closes
/// its socket; with remote half-closure allowed (as Hummingbird sets it) the server sees that as its input
/// closing (`ClientDepartureHandler`), or as the connection closing. One close callback per connection, not per
/// request: a keep-alive connection serves thousands.
enum ClientDeparture {
    private static let running = Mutex<[ObjectIdentifier: @Sendable () -> Void]>([:])
    private static let idle: @Sendable () -> Void = {}

    /// `cancel` stops the request `channel` runs now.
    static func watch(_ channel: any Channel, cancel: @escaping @Sendable () -> Void) {
        let id = ObjectIdentifier(channel)
        let first = running.withLock { r -> Bool in
            defer { r[id] = cancel }
            return r[id] == nil
        }
        // Closed before this callback is registered: it runs at once.
        if first { channel.closeFuture.whenComplete { _ in left(id) } }
    }

    /// The request of `channel` is answered.
    static func done(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        running.withLock { r in if r[id] != nil { r[id] = idle } }
    }

    /// The client of the connection left: its request, if any, is cancelled.
    static func left(_ id: ObjectIdentifier) {
        running.withLock { $0.removeValue(forKey: id) }?()
    }

    static var watchedConnections: Int { running.withLock { $0.count } }
}

/// Tells `ClientDeparture` when a client closes its side of the connection. HTTP clients do not half-close while
/// they wait for an answer: a closed input means the client is gone.
final class ClientDepartureHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed { ClientDeparture.left(ObjectIdentifier(context.channel)) }
        context.fireUserInboundEventTriggered(event)
    }
}
