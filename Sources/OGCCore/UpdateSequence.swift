/// The `UPDATESEQUENCE` parameter of GetCapabilities (WMS 1.3.0 §7.2.3.5, OWS Common 1.1 §7.3.4): a client
/// that already holds the current document is told so, and one that claims a newer one than the server has
/// is told it is wrong. Sequences are compared as integers when both are, else as strings.
public enum UpdateSequence {
    /// Throws `CurrentUpdateSequence` when `requested` equals `current`, `InvalidUpdateSequence` when it is
    /// greater; nothing (the document is to be sent) when it is absent or lower.
    public static func check(_ requested: String?, current: String) throws(OGCError) {
        guard let requested, !requested.isEmpty else { return }
        let greater: Bool
        if let r = Int(requested), let c = Int(current) {
            if r == c { throw equal(current) }
            greater = r > c
        } else {
            if requested == current { throw equal(current) }
            greater = requested > current
        }
        if greater {
            throw OGCError(.invalidUpdateSequence, locator: "UPDATESEQUENCE",
                           "UPDATESEQUENCE \(requested.prefix(40)) is newer than the server's \(current)")
        }
    }

    private static func equal(_ current: String) -> OGCError {
        OGCError(.currentUpdateSequence, locator: "UPDATESEQUENCE", "The capabilities have not changed since update sequence \(current)")
    }
}
