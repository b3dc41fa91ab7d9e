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

extension TileLayerResolver {
    /// The layers of `published` (default: every layer of the request's endpoint) that resolve, on the blocking
    /// pool (resolution stats files and may parse descriptors); the others are logged.
    public func layers(_ context: ServiceContext, among published: [Published]? = nil) async throws -> [TileLayer] {
        let published = published ?? context.layers, snapshot = context.snapshot, logger = context.logger
        let (layers, problems) = try await NIOThreadPool.singleton.runIfActive { self.layers(published, snapshot: snapshot) }
        for p in problems { logger.warning("\(p)") }
        return layers
    }

    /// The layer named `name` among `published` (default: the request's endpoint's), nil when there is none; an
    /// OGC exception when it cannot be read.
    public func layer(named name: String, _ context: ServiceContext, among published: [Published]? = nil) async throws -> TileLayer? {
        let published = published ?? context.layers, snapshot = context.snapshot
        if let hit = recentlyResolved(named: name, in: published, snapshot: snapshot) { return hit }
        return try await NIOThreadPool.singleton.runIfActive { try self.layer(named: name, in: published, snapshot: snapshot) }
    }
}
