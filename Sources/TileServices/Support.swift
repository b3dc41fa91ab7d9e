import Config
import Foundation
import Geo
import NIOPosix
import OGCCore
import ServiceKit
import TileStore

/// Plain decimal numbers for XML and JSON (no exponent, no trailing zeros).
func num(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    let shortest = String(v)
    if !shortest.contains("e") { return shortest }
    var s = String(format: "%.12f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
}

extension OGCRequest {
    /// `endpointURL` + `suffix`, with the persistent query (the API key) appended.
    func url(_ suffix: String) -> String {
        guard !persistentQuery.isEmpty else { return endpointURL + suffix }
        let q = persistentQuery.map { "\(KVP.percentEncode($0.0))=\(KVP.percentEncode($0.1))" }.joined(separator: "&")
        return endpointURL + suffix + (suffix.contains("?") ? "&" : "?") + q
    }
}

extension TileMatrixSet {
    /// The CRS as an OGC URN (`urn:ogc:def:crs:EPSG::3857`).
    var crsURN: String {
        let parts = crs.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return crs }
        return "urn:ogc:def:crs:\(parts[0])::\(parts[1])"
    }

    /// Whether the CRS's official first axis points north (then corners are written y first).
    var isNorthFirst: Bool { CRSInfo.lookup(crs)?.isNorthFirst ?? false }
}

/// Resolves layers on the blocking pool (resolution stats files and may parse descriptors).
func resolveLayers(_ resolver: TileLayerResolver, _ context: ServiceContext) async throws -> [TileLayer] {
    let published = context.layers, snapshot = context.snapshot, logger = context.logger
    let (layers, problems) = try await NIOThreadPool.singleton.runIfActive { resolver.layers(published, snapshot: snapshot) }
    for p in problems { logger.warning("\(p)") }
    return layers
}

func resolveLayer(_ resolver: TileLayerResolver, named name: String, _ context: ServiceContext) async throws -> TileLayer? {
    let published = context.layers, snapshot = context.snapshot
    if let hit = resolver.recentlyResolved(named: name, in: published, snapshot: snapshot) { return hit }
    do {
        return try await NIOThreadPool.singleton.runIfActive { try resolver.layer(named: name, in: published, snapshot: snapshot) }
    } catch let e as TileStoreError {
        context.logger.error("layer \(name): \(e)")
        throw OGCError(.noApplicableCode, "The layer \(name) cannot be read")
    }
}

/// Reads a tile; a corrupt slab is a server error for this tile only.
func readTile(_ level: LayerLevel, col: Int, row: Int, layer: String, _ context: ServiceContext) async throws -> TileData? {
    do {
        return try await level.reader.tile(level: level.level.id, col: col, row: row)
    } catch let e as TileStoreError {
        context.logger.error("layer \(layer) tile \(level.level.id)/\(col)/\(row): \(e)")
        throw OGCError(.noApplicableCode, "The tile cannot be read")
    }
}
