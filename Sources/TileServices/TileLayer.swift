import Config
import Foundation
import Geo
import OGCCore
import TileStore

/// One level of a published tile layer: the matrix of the tile matrix set and the pyramid that holds it.
public struct LayerLevel: Sendable {
    public var matrix: TileMatrix
    public var level: PyramidLevel
    public var reader: PyramidReader
}

/// A WMTS-TMS or WMS-RASTER configuration resolved against its pyramids: what the services publish.
public struct TileLayer: Sendable {
    public var name: String
    public var title: String
    public var abstract: String
    public var keywords: [String]
    public var published: Published
    public var matrixSet: TileMatrixSet
    public var format: TileFormat
    public var raster: RasterSpecifications?
    /// From the coarsest to the finest.
    public var levels: [LayerLevel]
    /// WGS84 longitude/latitude.
    public var wgs84BBox: BBox
    public var getFeatureInfo: Bool

    public var isVector: Bool { format.isVector }
    public var top: LayerLevel { levels[0] }
    public var bottom: LayerLevel { levels[levels.count - 1] }

    public func level(_ id: String) -> LayerLevel? { levels.first { $0.matrix.id == id } }

    /// The WMTS identifier of this layer's matrix set restricted to its levels, as ROK4 names it.
    public var matrixSetIdentifier: String { "\(matrixSet.id)_\(top.matrix.id)_\(bottom.matrix.id)" }

    /// The ground extent of the finest level's tile limits, in the matrix set's CRS.
    public var nativeBBox: BBox { extent(of: bottom) }

    /// The ground extent of a level's tile limits, in the matrix set's CRS.
    public func extent(of l: LayerLevel) -> BBox {
        let lo = l.matrix.bounds(col: l.level.limits.minCol, row: l.level.limits.maxRow)
        let hi = l.matrix.bounds(col: l.level.limits.maxCol, row: l.level.limits.minRow)
        return BBox(minX: lo.minX, minY: lo.minY, maxX: hi.maxX, maxY: hi.maxY)
    }
}

/// Resolves the offerings of a request into tile layers, through the shared registry.
public struct TileLayerResolver: Sendable {
    public let registry: TileStoreRegistry
    public let cache: ResolvedLayerCache

    public init(registry: TileStoreRegistry, cache: ResolvedLayerCache = ResolvedLayerCache()) {
        self.registry = registry
        self.cache = cache
    }

    /// The layer named `name` among `published`, or nil. Throws when the layer exists but cannot be read.
    public func layer(named name: String, in published: [Published], snapshot: ConfigSnapshot) throws -> TileLayer? {
        guard let p = published.first(where: { $0.configuration.layerName == name }) else { return nil }
        let layer = try resolve(p, snapshot: snapshot)
        cache.put(layer, for: p, snapshot: snapshot)
        return layer
    }

    /// The layer named `name` if it was resolved a moment ago (no file access); nil otherwise.
    public func recentlyResolved(named name: String, in published: [Published], snapshot: ConfigSnapshot) -> TileLayer? {
        guard let p = published.first(where: { $0.configuration.layerName == name }) else { return nil }
        return cache.get(p, snapshot: snapshot)
    }

    /// Every layer that resolves; the others are returned as problems (for the log), not thrown.
    public func layers(_ published: [Published], snapshot: ConfigSnapshot) -> (layers: [TileLayer], problems: [String]) {
        var out: [TileLayer] = [], problems: [String] = []
        for p in published {
            do { out.append(try resolve(p, snapshot: snapshot)) } catch {
                problems.append("layer \(p.configuration.layerName): \(error)")
            }
        }
        return (out, problems)
    }

    /// Blocking (stats the descriptor and matrix set files; reads them when they changed).
    public func resolve(_ p: Published, snapshot: ConfigSnapshot) throws -> TileLayer {
        let c = p.configuration
        var matrixSet: TileMatrixSet?
        var format: TileFormat?
        var raster: RasterSpecifications?
        var levels: [LayerLevel] = []
        for u in c.typeInfos.usedData {
            guard let sd = p.storedData[u.storedData] ?? snapshot.storedData[u.storedData] else {
                throw TileStoreError.invalidDescriptor(u.storedData, "unknown stored data")
            }
            guard let path = sd.storage.path else { throw TileStoreError.invalidDescriptor(sd.id, "no descriptor path") }
            let pyramid = try registry.pyramid(descriptor: path, cacheKey: sd.id)
            let tms = try registry.tileMatrixSet(pyramid.tileMatrixSetID, directory: snapshot.tileMatrixSetsDirectory)
            if let m = matrixSet, m.id != tms.id {
                throw TileStoreError.invalidDescriptor(path, "stacked pyramids must share one tile matrix set (\(m.id) and \(tms.id))")
            }
            if let f = format, f != pyramid.format {
                throw TileStoreError.invalidDescriptor(path, "stacked pyramids must share one format")
            }
            matrixSet = tms; format = pyramid.format; raster = raster ?? pyramid.raster
            let reader = try registry.reader(for: pyramid)
            // The matrices from top_level (coarsest) down to bottom_level (finest).
            let topRes = u.topLevel.flatMap { tms.matrix($0.value)?.cellSize } ?? .infinity
            let bottomRes = u.bottomLevel.flatMap { tms.matrix($0.value)?.cellSize } ?? 0
            for m in tms.matrices where m.cellSize <= topRes * (1 + 1e-9) && m.cellSize >= bottomRes * (1 - 1e-9) {
                guard let l = pyramid.level(m.id), !levels.contains(where: { $0.matrix.id == m.id }) else { continue }
                levels.append(LayerLevel(matrix: m, level: l, reader: reader))
            }
        }
        guard let tms = matrixSet, let fmt = format, !levels.isEmpty else {
            throw TileStoreError.invalidDescriptor(c.id, "no pyramid level between top_level and bottom_level")
        }
        levels.sort { $0.matrix.cellSize > $1.matrix.cellSize }
        let ti = c.typeInfos
        var layer = TileLayer(name: c.layerName, title: ti.title ?? c.layerName, abstract: ti.abstract ?? "",
                              keywords: ti.keywords ?? [], published: p, matrixSet: tms, format: fmt, raster: raster,
                              levels: levels, wgs84BBox: BBox(minX: -180, minY: -90, maxX: 180, maxY: 90),
                              getFeatureInfo: !fmt.isVector && ti.getfeatureinfo?.storedData == true)
        if let b = ti.bbox { layer.wgs84BBox = b.bbox } else if let b = try? Self.toWGS84(layer.nativeBBox, from: tms.crs) {
            layer.wgs84BBox = b
        }
        return layer
    }

    static func toWGS84(_ b: BBox, from crs: String) throws -> BBox {
        let t = try CoordinateTransformer.make(from: crs, to: "OGC:CRS84")
        return try t.transform(b)
    }
}
