import OGCCore

/// Where filter errors are reported: the KVP parameter (`FILTER`, `CQL_FILTER`) or the XML body.
public struct FilterLimits: Sendable, Equatable {
    /// Largest filter accepted, in bytes of its text.
    public var maxBytes: Int
    /// Deepest nesting of logical operators accepted.
    public var maxDepth: Int
    /// Most operators (predicates, logical operators, IN items) accepted: data stores choke on huge expression trees.
    public var maxOperators: Int
    /// The parameter errors point at.
    public var locator: String

    public init(maxBytes: Int = 128 * 1024, maxDepth: Int = 32, maxOperators: Int = 500, locator: String = "FILTER") {
        self.maxBytes = maxBytes; self.maxDepth = maxDepth; self.maxOperators = maxOperators; self.locator = locator
    }

    func error(_ message: String) -> OGCError { OGCError(.invalidParameterValue, locator: locator, message) }
}
