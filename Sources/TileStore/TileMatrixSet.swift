import Foundation

/// One matrix (zoom level) of a tile matrix set, in the ROK4 JSON shape.
public struct TileMatrix: Sendable, Equatable {
    public var id: String
    /// Resolution in CRS units per pixel.
    public var cellSize: Double
    public var scaleDenominator: Double
    /// Top-left corner, easting/longitude first whatever the CRS axis order.
    public var originX: Double
    public var originY: Double
    public var tileWidth: Int
    public var tileHeight: Int
    public var matrixWidth: Int
    public var matrixHeight: Int

    public init(id: String, cellSize: Double, scaleDenominator: Double, originX: Double, originY: Double,
                tileWidth: Int, tileHeight: Int, matrixWidth: Int, matrixHeight: Int) {
        self.id = id; self.cellSize = cellSize; self.scaleDenominator = scaleDenominator
        self.originX = originX; self.originY = originY; self.tileWidth = tileWidth; self.tileHeight = tileHeight
        self.matrixWidth = matrixWidth; self.matrixHeight = matrixHeight
    }

    /// Ground width and height of one tile.
    public var tileSpanX: Double { Double(tileWidth) * cellSize }
    public var tileSpanY: Double { Double(tileHeight) * cellSize }

    /// The bounds (minX, minY, maxX, maxY) of tile (col, row), rows counted down from the origin.
    public func bounds(col: Int, row: Int) -> (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let minX = originX + Double(col) * tileSpanX
        let maxY = originY - Double(row) * tileSpanY
        return (minX, maxY - tileSpanY, minX + tileSpanX, maxY)
    }

    public func contains(col: Int, row: Int) -> Bool {
        col >= 0 && row >= 0 && col < matrixWidth && row < matrixHeight
    }
}

/// A tile matrix set (ROK4 `tilematrixsets/*.json`), matrices sorted from the coarsest to the finest.
public struct TileMatrixSet: Sendable, Equatable {
    public var id: String
    /// As written in the file: `EPSG:3857`, `IGNF:LAMB93`…
    public var crs: String
    public var orderedAxes: [String]
    public var title: String?
    public var matrices: [TileMatrix]

    public func matrix(_ id: String) -> TileMatrix? { matrices.first { $0.id == id } }

    /// Parses the JSON of a tile matrix set. `fallbackID` is used when the file has no `id`.
    public static func parse(_ data: Data, fallbackID: String) throws -> TileMatrixSet {
        struct Raw: Decodable {
            var id: String?
            var crs: String
            var orderedAxes: [String]?
            var title: String?
            var tileMatrices: [RawMatrix]
        }
        struct RawMatrix: Decodable {
            var id: String
            var cellSize: Double
            var scaleDenominator: Double?
            var pointOfOrigin: [Double]
            var tileWidth: Int
            var tileHeight: Int
            var matrixWidth: Int
            var matrixHeight: Int
        }
        let raw: Raw
        do { raw = try JSONDecoder().decode(Raw.self, from: data) } catch {
            throw TileStoreError.invalidTileMatrixSet(fallbackID, "\(error)")
        }
        var ms: [TileMatrix] = []
        for m in raw.tileMatrices {
            guard m.pointOfOrigin.count >= 2, m.cellSize > 0, m.tileWidth > 0, m.tileHeight > 0,
                  m.matrixWidth > 0, m.matrixHeight > 0 else {
                throw TileStoreError.invalidTileMatrixSet(fallbackID, "tile matrix \(m.id) is malformed")
            }
            // 0.28 mm pixels: scale = resolution / 0.00028 (metres); ROK4 files always carry it.
            let scale = m.scaleDenominator ?? m.cellSize / 0.00028
            ms.append(TileMatrix(id: m.id, cellSize: m.cellSize, scaleDenominator: scale,
                                 originX: m.pointOfOrigin[0], originY: m.pointOfOrigin[1],
                                 tileWidth: m.tileWidth, tileHeight: m.tileHeight,
                                 matrixWidth: m.matrixWidth, matrixHeight: m.matrixHeight))
        }
        guard !ms.isEmpty else { throw TileStoreError.invalidTileMatrixSet(fallbackID, "no tile matrices") }
        ms.sort { $0.cellSize > $1.cellSize }
        return TileMatrixSet(id: raw.id ?? fallbackID, crs: raw.crs, orderedAxes: raw.orderedAxes ?? ["X", "Y"],
                             title: raw.title, matrices: ms)
    }

    public static func load(_ url: URL) throws -> TileMatrixSet {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TileStoreError.invalidTileMatrixSet(url.deletingPathExtension().lastPathComponent, "cannot read \(url.path)")
        }
        return try parse(data, fallbackID: url.deletingPathExtension().lastPathComponent)
    }
}
