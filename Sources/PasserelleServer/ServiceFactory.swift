import Config
import Logging
import ServiceKit
import Styling
import TileServices
import TileStore
import VectorData
import WFSService
import WMSService

/// The resources services share across requests and reloads: vector sources (connection pools), pyramids
/// and slab indexes, parsed styles.
public struct SharedResources: Sendable {
    public let sources: SourceRegistry
    public let tiles: TileStoreRegistry
    public let styles: SLDLoader

    public init(statementTimeoutMs: Int) {
        sources = SourceRegistry(statementTimeoutMs: statementTimeoutMs)
        tiles = TileStoreRegistry(tiles: TileCachesSetting.tileCache())
        styles = SLDLoader()
    }
}

/// Builds the service of each endpoint kind with the shared resources.
enum ServiceFactory {
    static func make(resources r: SharedResources) -> ServiceSet {
        let sources = r.sources
        return ServiceSet(
            wfs: WFSService(sources: sources),
            wms: WebMapService(sources: sources, pyramids: r.tiles, styles: r.styles),
            wmts: WMTSService(registry: r.tiles),
            tms: TMSService(registry: r.tiles))
    }
}

extension SharedResources {
    /// Stores that cannot be reached now, by stored data id (for `/ready`).
    func readiness(_ snap: ConfigSnapshot) async -> [String: String] {
        var out: [String: String] = [:]
        for (id, sd) in snap.storedData where sd.type == .vectorDB {
            do { try await sources.source(for: sd).ping() } catch { out[id] = "\(error)" }
        }
        return out
    }
}
