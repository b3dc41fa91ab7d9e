import Hummingbird
import Logging
import NIOCore

/// The request context of the server: Hummingbird's basic one plus the connection, so that a request's work can
/// stop when its client goes away (`cancelledWhenClientLeaves`) and the access log can name the client.
public struct ConnectionContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on (nil in tests that call the responder directly).
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The client's address, as the access log writes it.
    public var remoteHost: String? { channel?.remoteAddress?.ipAddress }
}

extension ConnectionContext {
    /// Runs `body`, cancelling it when the connection closes before it returns: a client that gave up (a timeout, a
    /// closed tab, a panned map) does not leave its map drawing or its query running. The work checks for
    /// cancellation where it can stop (before drawing, between pool jobs, between rows).
    func cancelledWhenClientLeaves<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        guard let channel else { return await body() }
        let task = Task { await body() }
        ClientDeparture.watch(channel, cancel: { task.cancel() })
        let result = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        ClientDeparture.done(channel)
        return result
    }
}
