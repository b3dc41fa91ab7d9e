import Foundation
import ObjectStorage

/// Inclusive tile limits of a level.
public struct TileLimits: Sendable, Equatable {
    public var minCol: Int
    public var maxCol: Int
    public var minRow: Int
    public var maxRow: Int

    public init(minCol: Int, maxCol: Int, minRow: Int, maxRow: Int) {
        self.minCol = minCol; self.maxCol = maxCol; self.minRow = minRow; self.maxRow = maxRow
    }

    public func contains(col: Int, row: Int) -> Bool {
        col >= minCol && col <= maxCol && row >= minRow && row <= maxRow
    }
}

/// Where the slabs of a level are.
public enum LevelStorage: Sendable, Equatable {
    /// `image_directory` resolved to an absolute path.
    case file(imageDirectory: String, pathDepth: Int)
    /// Object storage: slab `<prefix>_<col>_<row>` in `tray` (bucket, pool or container).
    case object(type: String, tray: String, prefix: String)

    public var typeName: String {
        switch self {
        case .file: "FILE"
        case .object(let t, _, _): t
        }
    }
}

/// An attribute of a vector table (`tables[].attributes[]`).
public struct VectorAttribute: Sendable, Equatable {
    public var name: String
    public var type: String
    public var count: Int
    public var min: Double?
    public var max: Double?
    public var values: [String]?
}

/// One MVT layer of a vector level (`tables[]`).
public struct VectorTable: Sendable, Equatable {
    public var name: String
    public var geometry: String
    public var attributes: [VectorAttribute]
}

public struct PyramidLevel: Sendable, Equatable {
    public var id: String
    public var tilesPerWidth: Int
    public var tilesPerHeight: Int
    public var limits: TileLimits
    public var storage: LevelStorage
    public var tables: [VectorTable]

    public var tilesPerSlab: Int { tilesPerWidth * tilesPerHeight }
}

/// `raster_specifications`.
public struct RasterSpecifications: Sendable, Equatable {
    public var channels: Int
    public var nodata: [Int]
    public var photometric: String
    public var interpolation: String?
}

/// A ROK4 pyramid descriptor, parsed.
public struct Pyramid: Sendable, Equatable {
    /// The descriptor's absolute path.
    public var descriptorPath: String
    public var name: String
    public var format: TileFormat
    public var tileMatrixSetID: String
    /// Levels as they come in the descriptor.
    public var levels: [PyramidLevel]
    public var raster: RasterSpecifications?
    public var maskFormat: String?

    public var isVector: Bool { format.isVector }

    public func level(_ id: String) -> PyramidLevel? { levels.first { $0.id == id } }

    /// A descriptor read from `s3://BUCKET@HOST/…` whose levels name a bucket without a host: the slabs are on the
    /// descriptor's cluster (as ROK4's Python reader, which takes the slabs' tray from the descriptor's path).
    func onCluster(of descriptor: S3Location) -> Pyramid {
        guard let host = descriptor.host else { return self }
        var p = self
        for i in p.levels.indices {
            if case .object(let type, let tray, let prefix) = p.levels[i].storage, !tray.contains("@") {
                p.levels[i].storage = .object(type: type, tray: tray + "@" + host, prefix: prefix)
            }
        }
        return p
    }
}
