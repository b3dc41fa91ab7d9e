import Foundation
import Synchronization

/// Idle keep-alive connections to one endpoint. A connection is checked out for one exchange and given back
/// when the response allowed it; connections idle longer than `maxIdleTime` are closed rather than reused (the
/// server may have dropped them already; radosgw's beast frontend does after about a minute).
final class ConnectionPool: Sendable {
    private let idle = Mutex<[HTTPConnection]>([])
    let host: String
    let port: Int
    let maxIdle: Int
    let maxIdleTime: Duration

    init(host: String, port: Int, maxIdle: Int = 32, maxIdleTime: Duration = .seconds(30)) {
        self.host = host; self.port = port; self.maxIdle = maxIdle; self.maxIdleTime = maxIdleTime
    }

    /// A pooled connection that still looks alive (and whether it came from the pool), or a new one.
    func checkOut(deadline: ContinuousClock.Instant) throws -> (HTTPConnection, reused: Bool) {
        let now = ContinuousClock.now
        while let c = idle.withLock({ $0.popLast() }) {
            if now - c.lastUsed < maxIdleTime && c.looksAlive { return (c, true) }
            c.close()
        }
        return (try HTTPConnection.open(host: host, port: port, deadline: deadline), false)
    }

    func checkIn(_ c: HTTPConnection) {
        var c = c
        c.lastUsed = .now
        let kept = idle.withLock { list -> Bool in
            guard list.count < maxIdle else { return false }
            list.append(c)
            return true
        }
        if !kept { c.close() }
    }

    var idleCount: Int { idle.withLock { $0.count } }

    deinit {
        idle.withLock { list in for c in list { c.close() }; list.removeAll() }
    }
}
