import Config
import Foundation
import Synchronization

/// Resolved tile layers, kept per config generation and configuration for a short time, so a tile request
/// does not stat descriptor and matrix set files (and hop to a thread) each time. An entry older than `ttl`
/// is resolved again, so a pyramid rewritten in place is seen within that time.
public final class ResolvedLayerCache: Sendable {
    private struct Entry {
        var layer: TileLayer
        var at: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let ttl: Duration

    public init(ttl: Duration = .seconds(2)) { self.ttl = ttl }

    static func key(_ p: Published, snapshot: ConfigSnapshot) -> String {
        "\(snapshot.generation)|\(p.configuration.id)"
    }

    func get(_ p: Published, snapshot: ConfigSnapshot) -> TileLayer? {
        let k = Self.key(p, snapshot: snapshot), now = ContinuousClock.now
        return entries.withLock { e in
            guard let hit = e[k], now - hit.at < ttl else { return nil }
            return hit.layer
        }
    }

    func put(_ layer: TileLayer, for p: Published, snapshot: ConfigSnapshot) {
        let k = Self.key(p, snapshot: snapshot), now = ContinuousClock.now
        entries.withLock { e in
            // Entries of older generations are dropped as they are met.
            if e.count > 256 { e = e.filter { now - $0.value.at < ttl } }
            e[k] = Entry(layer: layer, at: now)
        }
    }
}
