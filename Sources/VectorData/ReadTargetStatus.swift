/// One database of a PostgreSQL store as `/status` and `check-config` report it: the primary or a read replica,
/// whether it is up (reads go to it) and how many reads it took.
public struct ReadTargetStatus: Sendable, Equatable {
    public enum Role: String, Sendable { case primary, replica }

    /// The environment variable the connection string comes from.
    public var name: String
    public var role: Role
    public var up: Bool
    /// Why it is down.
    public var reason: String?
    public var inFlight: Int
    /// Reads sent to it since the store was opened.
    public var reads: Int
}
