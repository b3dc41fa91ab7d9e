/// A read waited longer than its limit for a connection of a database's pool: the database may be unreachable
/// (the pool keeps trying to connect) or only busy (every pooled connection in use). Reported to callers as
/// `VectorDataError.unavailable`.
struct ConnectionWaitTimeout: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no database connection within \(limit)" }
}
