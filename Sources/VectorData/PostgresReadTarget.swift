import Logging
import PostgresNIO
import Synchronization

/// One database a PostgreSQL store reads from, the primary or a read replica: its connection parameters and its
/// connection pool. The pool can be swapped for a fresh one when the database comes back after an outage: a pool
/// whose connection attempts kept failing waits longer and longer between them (up to a minute), so it would
/// take its time to notice.
final class PostgresReadTarget: Sendable {
    /// The environment variable the connection string came from (what `/status` shows; never the string itself).
    let name: String
    private let info: PostgresConnectionInfo
    private let configuration: PostgresClient.Configuration
    private let logger: Logger
    /// How long a swapped-out pool keeps serving the reads it had started before it is stopped.
    private let retiredPoolGrace: Duration

    private struct Pool {
        var client: PostgresClient
        var run: Task<Void, Never>
    }
    private let pool: Mutex<Pool?>

    init(name: String, info: PostgresConnectionInfo, configuration: PostgresClient.Configuration, logger: Logger,
         retiredPoolGrace: Duration = .seconds(60)) {
        self.name = name
        self.info = info
        self.configuration = configuration
        self.logger = logger
        self.retiredPoolGrace = retiredPoolGrace
        pool = Mutex<Pool?>(Self.makePool(configuration, logger))
    }

    private static func makePool(_ configuration: PostgresClient.Configuration, _ logger: Logger) -> Pool {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return Pool(client: client, run: Task { await client.run() })
    }

    /// The current pool (nil once closed).
    var client: PostgresClient? { pool.withLock { $0?.client } }

    /// Replaces the pool by a fresh one; the old one is stopped after `retiredPoolGrace`.
    func renewPool() {
        let fresh = Self.makePool(configuration, logger)
        let old: Task<Void, Never>? = pool.withLock { p in
            guard let current = p else { fresh.run.cancel(); return nil }
            p = fresh
            return current.run
        }
        guard let old else { return }
        let grace = retiredPoolGrace
        Task {
            try? await Task.sleep(for: grace)
            old.cancel()
        }
    }

    /// Stops the pool (its connections close).
    func close() {
        pool.withLock { p in
            p?.run.cancel()
            p = nil
        }
    }

    /// Whether the database accepts a connection and answers a query now, on a connection of its own (outside
    /// the pool, so that a probe fails as soon as the connection is refused). Nil when it does; else why not.
    func probe(timeout: Duration) async -> String? {
        do {
            var configuration = try info.connectionConfiguration()
            configuration.options.connectTimeout = .nanoseconds(timeout.wholeNanoseconds)
            let (config, logger) = (configuration, self.logger)
            try await withDeadline(timeout + .seconds(1)) {
                let connection = try await PostgresConnection.connect(configuration: config, id: 0, logger: logger)
                do {
                    _ = try await connection.query("SELECT 1", logger: logger).collect()
                } catch {
                    try? await connection.close()
                    throw error
                }
                try await connection.close()
            }
            return nil
        } catch {
            return "\(PostGISSource.mapError(error))"
        }
    }
}
