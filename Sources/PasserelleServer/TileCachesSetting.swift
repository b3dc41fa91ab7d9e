import Foundation
import TileStore

/// `PASSERELLE_TILE_CACHES=off` turns the in-memory tile caches off (tiles read less than a second ago, and whole
/// tile answers kept for the fast path), so that every tile request reads its storage: for measuring what a
/// storage costs (Benchmarks/s3.sh compares disk and S3 with it), not for serving.
enum TileCachesSetting {
    static var enabled: Bool {
        ProcessInfo.processInfo.environment["PASSERELLE_TILE_CACHES"]?.lowercased() != "off"
    }

    /// A tile cache that keeps nothing when the caches are off (no entry is ever small enough).
    static func tileCache() -> TileCache { enabled ? TileCache() : TileCache(maxBytes: 0) }

    static func responseCache() -> TileResponseCache { enabled ? TileResponseCache() : TileResponseCache(maxBytes: 0) }
}
