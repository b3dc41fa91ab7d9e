import NIOPosix

/// Where blocking C calls (sqlite, GEOS, PROJ on many features) run: NIO's shared thread pool, never an
/// event loop or the cooperative pool.
enum BlockingIO {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
