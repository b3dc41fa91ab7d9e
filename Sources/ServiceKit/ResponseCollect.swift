import Hummingbird

/// Gathers a response body in memory (for caching rendered documents, and for tests that call a service
/// directly).
final class CollectingWriter: ResponseBodyWriter {
    var buffer = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws {
        var b = buffer
        self.buffer.writeBuffer(&b)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension Response {
    /// The whole body. Consumes a streamed body: use it once.
    public func collectBody() async throws -> ByteBuffer {
        let w = CollectingWriter()
        try await body.write(w)
        return w.buffer
    }
}
