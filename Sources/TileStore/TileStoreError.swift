import OGCCore

/// What can go wrong reading pyramids. "No data" is not an error: readers return nil for it. The associated
/// strings name paths, buckets and keys: they go to the server's log, never to clients.
public enum TileStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidTileMatrixSet(String, String)
    case invalidDescriptor(String, String)
    case unknownTileMatrixSet(String)
    /// The slab exists but cannot be read as a ROK4 slab (truncated, bad header, index beyond the end).
    case corruptSlab(String, String)
    case io(String, String)
    case unsupportedStorage(String)
    /// The storage does not answer now (object store down, timeouts, 5xx after retries): worth trying again.
    case unavailable(String, String)

    public var description: String {
        switch self {
        case .invalidTileMatrixSet(let id, let m): "tile matrix set \(id): \(m)"
        case .invalidDescriptor(let p, let m): "pyramid descriptor \(p): \(m)"
        case .unknownTileMatrixSet(let id): "unknown tile matrix set \(id)"
        case .corruptSlab(let p, let m): "corrupt slab \(p): \(m)"
        case .io(let p, let m): "cannot read \(p): \(m)"
        case .unsupportedStorage(let t): "storage \(t) is not supported yet"
        case .unavailable(let p, let m): "cannot read \(p) now: \(m)"
        }
    }
}

extension TileStoreError: OGCErrorConvertible {
    /// Storage that does not answer now is a 503 (worth trying again); anything else is a pyramid that cannot be
    /// read. Paths, buckets and keys stay in the log.
    public var ogcError: OGCError {
        if case .unavailable = self { return .storageUnavailable }
        return OGCError(.noApplicableCode, "The pyramid of a layer cannot be read")
    }
}

extension OGCError {
    /// The pyramid storage does not answer now (object store down or slow): 503, worth trying again. Says
    /// nothing of where the storage is (bucket, key, endpoint): that goes to the log.
    public static var storageUnavailable: OGCError {
        OGCError(.serviceUnavailable, "The tile storage is unavailable: try again shortly")
    }
}
