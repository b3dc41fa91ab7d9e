import Config
import Foundation
import TileStore

/// The pyramid descriptor JSON, key for key as ROK4 reads it (§3), FILE storage with the conventional
/// `<NAME>/DATA/<level>` (and `<NAME>/MASK/<level>`) directories relative to the descriptor's folder.
public struct DescriptorDocument: Encodable, Sendable {
    public struct Limits: Encodable, Sendable { var min_col: Int, max_col: Int, min_row: Int, max_row: Int }
    public struct StorageDoc: Encodable, Sendable {
        var type = "FILE"
        var image_directory: String
        var path_depth: Int
        var mask_directory: String?
    }
    public struct Attribute: Encodable, Sendable {
        public var name: String, type: String, count: Int
        public var min: Double?, max: Double?, values: [String]?
        public init(name: String, type: String, count: Int, min: Double? = nil, max: Double? = nil, values: [String]? = nil) {
            self.name = name; self.type = type; self.count = count; self.min = min; self.max = max; self.values = values
        }
    }
    public struct Table: Encodable, Sendable {
        public var name: String, geometry: String, attributes: [Attribute]
        public init(name: String, geometry: String, attributes: [Attribute]) {
            self.name = name; self.geometry = geometry; self.attributes = attributes
        }
    }
    public struct Level: Encodable, Sendable {
        var id: String
        var tiles_per_width: Int, tiles_per_height: Int
        var tile_limits: Limits
        var storage: StorageDoc
        var tables: [Table]?
    }
    public struct RasterSpecs: Encodable, Sendable {
        var channels: Int
        var nodata: String
        var photometric: String
        var interpolation: String
        public init(channels: Int, nodata: [Int], photometric: String, interpolation: String) {
            self.channels = channels; self.nodata = nodata.map(String.init).joined(separator: ",")
            self.photometric = photometric; self.interpolation = interpolation
        }
    }

    var format: String
    var tile_matrix_set: String
    var levels: [Level]
    var raster_specifications: RasterSpecs?
    var mask_format: String?

    /// Levels are given finest last; they are written top (coarsest) first, as ROK4's writers do.
    public init(name: String, format: TileFormat, tms: String, levels: [LevelPlan], pathDepth: Int = 2,
                raster: RasterSpecs?, masks: Bool, tables: [String: [Table]] = [:]) {
        self.format = format.rawValue
        tile_matrix_set = tms
        self.levels = levels.map { l in
            Level(id: l.id, tiles_per_width: l.tilesPerWidth, tiles_per_height: l.tilesPerHeight,
                  tile_limits: Limits(min_col: l.limits.minCol, max_col: l.limits.maxCol, min_row: l.limits.minRow, max_row: l.limits.maxRow),
                  storage: StorageDoc(image_directory: "\(name)/DATA/\(l.id)", path_depth: pathDepth,
                                      mask_directory: masks ? "\(name)/MASK/\(l.id)" : nil),
                  tables: format.isVector ? (tables[l.id] ?? []) : nil)
        }
        raster_specifications = raster
        mask_format = masks ? "TIFF_ZIP_UINT8" : nil
    }

    public func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }
}

/// Where the pieces of a pyramid named NAME go under a config directory: `pyramids/NAME.json`, `NAME.list`,
/// `NAME/DATA/<level>/<b36>.tif`, `NAME/MASK/…`, and `stored_data/NAME.json`.
public struct PyramidLayout: Sendable {
    public var configDirectory: String
    public var name: String
    public var pathDepth: Int

    public init(configDirectory: String, name: String, pathDepth: Int = 2) {
        self.configDirectory = configDirectory; self.name = name; self.pathDepth = pathDepth
    }

    public var pyramidsDirectory: String { configDirectory + "/pyramids" }
    public var descriptorPath: String { pyramidsDirectory + "/\(name).json" }
    public var listPath: String { pyramidsDirectory + "/\(name).list" }
    public var storedDataPath: String { configDirectory + "/stored_data/\(name).json" }
    public var tileMatrixSetsDirectory: String { configDirectory + "/tilematrixsets" }

    /// `DATA/<level>/<b36>.tif` (or MASK), relative to the pyramid's root folder.
    public func relativeSlabPath(level: String, slab: SlabKey, mask: Bool = false) -> String {
        "\(mask ? "MASK" : "DATA")/\(level)/" + SlabPath.file(slabCol: slab.col, slabRow: slab.row, depth: pathDepth)
    }

    public func slabPath(level: String, slab: SlabKey, mask: Bool = false) -> String {
        pyramidsDirectory + "/\(name)/" + relativeSlabPath(level: level, slab: slab, mask: mask)
    }

    /// The `.list` text (§4.4): root `0=NAME`, `#`, then one line per slab present on disk.
    /// Slabs that are links to a previous pyramid's (an update by reference) are listed under root `1`.
    public func listText(levels: [LevelPlan], masks: Bool, previous: String? = nil) -> String {
        var out = "0=\(name)\n" + (previous.map { "1=\($0)\n" } ?? "") + "#\n"
        let fm = FileManager.default
        for l in levels {
            for s in l.slabs {
                for m in masks ? [false, true] : [false] where fm.fileExists(atPath: slabPath(level: l.id, slab: s, mask: m)) {
                    let path = slabPath(level: l.id, slab: s, mask: m)
                    let linked = previous != nil && (try? fm.destinationOfSymbolicLink(atPath: path)) != nil
                    out += (linked ? "1/" : "0/") + relativeSlabPath(level: l.id, slab: s, mask: m) + "\n"
                }
            }
        }
        return out
    }

    /// Writes the descriptor, the list and `stored_data/NAME.json` (in that order, each atomically: the stored
    /// data that makes the server load the pyramid comes last).
    public func finish(descriptor: DescriptorDocument, levels: [LevelPlan], masks: Bool, storedData: StoredData,
                       previous: String? = nil) throws {
        try AtomicFile.write(Array(try descriptor.json()) + [10], to: descriptorPath)
        try AtomicFile.write(listText(levels: levels, masks: masks, previous: previous), to: listPath)
        try AtomicFile.write(Array(try ConfigWriter.encode(storedData)), to: storedDataPath)
    }
}

/// `stored_data/<ID>.json` for a pyramid, from Config's Codable model.
public enum StoredDataDocument {
    public static func pyramid(name: String, title: String?, vector: Bool, tms: String, srs: String?, levels: [String],
                               channelsFormat: String?, channels: Int?, compression: String?, nodata: String?) -> StoredData {
        var s = StoredData(id: name, name: title ?? name, type: vector ? .rok4PyramidVector : .rok4PyramidRaster,
                           storage: Storage(type: "FILESYSTEM", path: "pyramids/\(name).json"))
        s.srs = srs
        s.storage.labels = []
        var ti = StoredDataTypeInfos()
        ti.tms = tms
        ti.levels = levels.map { LevelID($0) }
        ti.channelsFormat = channelsFormat
        ti.channelsNumber = channels
        ti.compression = compression
        ti.nodataValue = nodata
        s.typeInfos = ti
        return s
    }

}
