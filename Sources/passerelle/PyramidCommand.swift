import ArgumentParser
import Foundation
import Processing
import TileStore

struct PyramidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pyramid",
        abstract: "Build ROK4 pyramids into a config directory (descriptor, slabs, list and stored_data/ID.json).",
        subcommands: [PyramidRaster.self, PyramidHarvest.self, PyramidVector.self])
}

/// What every pyramid command shares: where the pyramid goes and how its slabs are written.
struct PyramidOutputOptions: ParsableArguments {
    @Option(help: "The config directory (the pyramid goes to pyramids/ID*, its stored data to stored_data/ID.json).")
    var config: String

    @Option(help: "The pyramid and stored data id.")
    var name: String

    @Option(help: "Tile matrix set id (a file of the config's tilematrixsets/: PM, WGS84G, LAMB93…).")
    var tms: String = "PM"

    @Option(help: "Slab width in tiles.")
    var slabWidth: Int = 16

    @Option(help: "Slab height in tiles.")
    var slabHeight: Int = 16

    @Option(help: "Parallel slab jobs (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "The stored data's name (title).")
    var title: String?

    @Flag(help: "No progress output.")
    var quiet = false

    var configDirectory: String { URL(fileURLWithPath: config).standardizedFileURL.path }
}

/// Runs a build; its error is printed on standard error and the command exits with status 1.
func buildOrExit(_ build: () throws -> Void) throws {
    do { try build() } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

struct PyramidRaster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raster",
        abstract: "Georeferenced images (files, folders, lists) → a ROK4 raster pyramid.",
        discussion: """
        The bottom level is warped from the images (mosaicked, reprojected into the tile matrix set); every upper \
        level is made from the level below (2x2 pixels into 1). Slabs are written to a temporary name and renamed: \
        run the same command again after an interruption and finished slabs are skipped. The stored data \
        (stored_data/ID.json) is written last, so a running server picks the pyramid up when it is complete.
        """)

    @Argument(help: "Images (GeoTIFF, JPEG 2000, JPEG/PNG/TIFF with a world file…), folders of images, or .txt lists of paths.")
    var inputs: [String]

    @OptionGroup var output: PyramidOutputOptions

    @Option(help: "The finest level.")
    var bottomLevel: String

    @Option(help: "The coarsest level (default: the first level where the data fits in one tile).")
    var topLevel: String?

    @Option(help: "jpg, jpg90, png, zip or raw.")
    var compression: String = "jpg"

    @Option(help: "nearest, linear, bicubic or lanczos.")
    var resampling: String = "bicubic"

    @Option(help: "Nodata value per channel, e.g. 255,255,255.")
    var nodata: String?

    @Option(help: "Channels of the pyramid, 1–4 (default: from the images; 3 for JPEG).")
    var channels: Int?

    @Option(help: "CRS of the images when they carry none (world files), e.g. EPSG:2154.")
    var inputCrs: String?

    @Flag(help: "Also write mask slabs (MASK/, TIFF_ZIP_UINT8, 255 = data).")
    var mask = false

    @Option(help: "Update by reference: a new pyramid from the pyramid with this id, where the slabs the images touch are rebuilt (the images over the old tiles) and the others are symbolic links to the old slabs.")
    var updateFrom: String?

    func run() throws {
        let format = try tileFormat(compression)
        var o = RasterPyramidOptions(inputs: inputs, configDirectory: output.configDirectory,
                                     name: output.name, tms: output.tms, bottomLevel: bottomLevel)
        o.topLevel = topLevel
        o.format = format
        o.resampling = resampling
        o.nodata = try nodata.map(parseNodata)
        o.channels = channels
        o.inputCRS = inputCrs
        o.masks = mask
        o.tilesPerWidth = output.slabWidth
        o.tilesPerHeight = output.slabHeight
        o.jobs = max(1, output.jobs)
        o.title = output.title
        o.quiet = output.quiet
        o.updateFrom = updateFrom
        try buildOrExit { _ = try RasterPyramidBuilder.build(o) }
    }
}

func tileFormat(_ compression: String) throws -> TileFormat {
    switch compression.lowercased() {
    case "jpg", "jpeg": .jpgUInt8
    case "jpg90": .jpg90UInt8
    case "png": .pngUInt8
    case "zip", "deflate": .zipUInt8
    case "raw", "none": .rawUInt8
    default: throw ValidationError("unknown compression \(compression) (jpg, jpg90, png, zip, raw)")
    }
}

func parseNodata(_ s: String) throws -> [Int] {
    let v = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !v.isEmpty, v.allSatisfy({ $0 != nil }) else { throw ValidationError("--nodata: integers separated by commas") }
    return v.map { $0! }
}

struct PyramidHarvest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harvest",
        abstract: "A WMS → a ROK4 raster pyramid (the platform's harvest_* parameters).",
        discussion: """
        Every slab of the harvested levels that touches --area is fetched with GetMap (in --dimensions pieces if \
        given), cut into tiles and written; the other levels are made from the level below. Failed GetMaps are \
        retried with backoff, then reported with their URL. Resumable like `pyramid raster`.
        """)

    @Option(help: "harvest_url: the WMS URL (protocol and path, optionally with query parameters).")
    var url: String
    @Option(help: "harvest_layers: layers to harvest, comma-separated.")
    var layers: String
    @Option(help: "harvest_format: image/jpeg, image/png, image/tiff…")
    var format: String = "image/jpeg"
    @Option(help: "harvest_area: WKT of the area in EPSG:4326 (lon lat).")
    var area: String
    @Option(help: "harvest_levels: levels harvested from the WMS, comma-separated (default: the bottom level).")
    var harvestLevels: String?
    @Option(help: "harvest_dimensions: largest GetMap as WIDTHxHEIGHT (dividing the slab's pixel size).")
    var dimensions: String?
    @Option(help: "harvest_extras: extra GetMap parameters (K=V&K=V), e.g. TRANSPARENT=TRUE.")
    var extras: String?
    @Option(help: "harvest_threshold: images smaller than this many bytes count as empty.")
    var threshold: Int = 0
    @Option(help: "Retries of a failed GetMap (with backoff).")
    var retries: Int = 4
    @Option(help: "Update by reference: a new pyramid from the pyramid with this id, harvesting the slabs the area touches (over the old tiles) and linking the others to the old slabs.")
    var updateFrom: String?

    @OptionGroup var output: PyramidOutputOptions
    @Option(help: "The finest level.")
    var bottomLevel: String
    @Option(help: "The coarsest level (default: where the area fits in one tile).")
    var topLevel: String?
    @Option(help: "jpg, jpg90, png, zip or raw.")
    var compression: String = "jpg"
    @Option(help: "samplesperpixel: channels 1–4.")
    var channels: Int = 3
    @Option(help: "Nodata value per channel.")
    var nodata: String?
    @Flag(help: "Also write mask slabs.")
    var mask = false

    func run() throws {
        var o = HarvestOptions(url: url, layers: layers, area: area,
                               configDirectory: output.configDirectory, name: output.name, bottomLevel: bottomLevel)
        o.imageFormat = format
        o.harvestLevels = harvestLevels.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
        if let dimensions {
            let p = dimensions.lowercased().split(whereSeparator: { $0 == "x" || $0 == "," }).compactMap { Int($0) }
            guard p.count == 2 else { throw ValidationError("--dimensions: WIDTHxHEIGHT") }
            o.dimensions = (p[0], p[1])
        }
        o.extras = extras
        o.threshold = threshold
        o.retries = max(0, retries)
        o.updateFrom = updateFrom
        o.tms = output.tms
        o.topLevel = topLevel
        o.format = try tileFormat(compression)
        o.channels = channels
        o.nodata = try nodata.map(parseNodata)
        o.masks = mask
        o.tilesPerWidth = output.slabWidth
        o.tilesPerHeight = output.slabHeight
        o.jobs = max(1, output.jobs)
        o.title = output.title
        o.quiet = output.quiet
        try buildOrExit { _ = try HarvestBuilder.build(o) }
    }
}

struct PyramidVector: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vector",
        abstract: "Tables of a VECTOR-DB stored data → a ROK4 vector-tile pyramid (TIFF_PBF_MVT).",
        discussion: """
        The platform's five steps: the stored data, its tables (--table, repeated), their attributes and levels \
        (NAME:TOP:BOTTOM:ATTR,ATTR), a generalisation preset (--generalisation none|light|strong) and an optional \
        sample area (--sample-area WKT in EPSG:4326) for a quick preview. Example: \
        --table departements:5:12:code,nom --table communes:8:12:code,nom
        """)

    @OptionGroup var output: PyramidOutputOptions
    @Option(help: "The VECTOR-DB stored data id (GeoPackage or PostGIS).")
    var storedData: String
    @Option(help: "A table: NAME:TOP:BOTTOM[:ATTR,ATTR…] (no attributes or * keeps them all). Repeat for each table.")
    var table: [String]
    @Option(help: "none, light or strong simplification.")
    var generalisation: String = "light"
    @Option(help: "Sample area (WKT, EPSG:4326 lon/lat): only the features meeting it.")
    var sampleArea: String?

    func run() throws {
        try buildOrExit {
            var o = VectorPyramidOptions(configDirectory: output.configDirectory, storedData: storedData,
                                         name: output.name, tables: try table.map(VectorTableSpec.parse))
            o.tms = output.tms
            o.generalisation = generalisation
            o.sampleArea = sampleArea
            o.tilesPerWidth = output.slabWidth
            o.tilesPerHeight = output.slabHeight
            o.jobs = max(1, output.jobs)
            o.title = output.title
            o.quiet = output.quiet
            _ = try VectorPyramidBuilder.build(o)
        }
    }
}
