import Foundation

extension Pyramid {
    /// Reads a descriptor file. FILE `image_directory` values are resolved against the descriptor's folder.
    public static func load(descriptor path: String) throws -> Pyramid {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TileStoreError.io(path, "cannot read the pyramid descriptor")
        }
        return try parse(data, descriptorPath: path)
    }

    public static func parse(_ data: Data, descriptorPath: String) throws -> Pyramid {
        let raw: RawDescriptor
        do { raw = try JSONDecoder().decode(RawDescriptor.self, from: data) } catch {
            throw TileStoreError.invalidDescriptor(descriptorPath, "\(error)")
        }
        func fail(_ m: String) -> TileStoreError { .invalidDescriptor(descriptorPath, m) }
        guard let format = TileFormat(rawValue: raw.format) else { throw fail("unknown format \(raw.format)") }
        guard !raw.levels.isEmpty else { throw fail("no levels") }
        let folder = URL(fileURLWithPath: descriptorPath).deletingLastPathComponent()
        var levels: [PyramidLevel] = []
        var depth: Int?
        for l in raw.levels {
            guard !l.id.isEmpty, !l.id.contains("_"), !l.id.contains("/") else { throw fail("invalid level id \(l.id)") }
            guard l.tiles_per_width > 0, l.tiles_per_height > 0, l.tiles_per_width * l.tiles_per_height <= 1 << 20 else {
                throw fail("level \(l.id): tiles_per_width and tiles_per_height must be positive")
            }
            let lim = l.tile_limits
            guard lim.min_col <= lim.max_col, lim.min_row <= lim.max_row else { throw fail("level \(l.id): empty tile_limits") }
            let storage: LevelStorage
            switch l.storage.type.uppercased() {
            case "FILE":
                guard let dir = l.storage.image_directory, !dir.isEmpty else { throw fail("level \(l.id): FILE storage needs image_directory") }
                let d = l.storage.path_depth ?? 2
                guard d >= 0, d <= 10 else { throw fail("level \(l.id): invalid path_depth") }
                if let previous = depth, previous != d { throw fail("every level must use the same path_depth") }
                depth = d
                let abs = dir.hasPrefix("/") ? dir : folder.appendingPathComponent(dir).standardizedFileURL.path
                storage = .file(imageDirectory: abs, pathDepth: d)
            case "S3", "CEPH", "SWIFT":
                let t = l.storage.type.uppercased()
                guard let tray = l.storage.bucket_name ?? l.storage.pool_name ?? l.storage.container_name,
                      let prefix = l.storage.image_prefix else { throw fail("level \(l.id): \(t) storage needs a bucket/pool and image_prefix") }
                storage = .object(type: t, tray: tray, prefix: prefix)
            default:
                throw fail("level \(l.id): unknown storage type \(l.storage.type)")
            }
            if let first = levels.first, first.storage.typeName != storage.typeName {
                throw fail("every level must use the same storage type")
            }
            let tables = (l.tables ?? []).map { t in
                VectorTable(name: t.name, geometry: t.geometry ?? "",
                            attributes: (t.attributes ?? []).map {
                                VectorAttribute(name: $0.name, type: $0.type ?? "", count: $0.count ?? 0,
                                                min: $0.min, max: $0.max, values: $0.values?.map(\.text))
                            })
            }
            levels.append(PyramidLevel(id: l.id, tilesPerWidth: l.tiles_per_width, tilesPerHeight: l.tiles_per_height,
                                       limits: TileLimits(minCol: max(0, lim.min_col), maxCol: lim.max_col,
                                                          minRow: max(0, lim.min_row), maxRow: lim.max_row),
                                       storage: storage, tables: tables))
        }
        var raster: RasterSpecifications?
        if !format.isVector {
            guard let r = raw.raster_specifications else { throw fail("a raster pyramid needs raster_specifications") }
            guard (1...4).contains(r.channels) else { throw fail("channels must be 1 to 4") }
            let items = (r.nodata ?? "").split(separator: ",", omittingEmptySubsequences: false)
            var nodata = [Int](repeating: 0, count: r.channels)
            for i in 0..<r.channels where i < items.count {
                nodata[i] = Int(items[i].trimmingCharacters(in: .whitespaces)) ?? 0
            }
            raster = RasterSpecifications(channels: r.channels, nodata: nodata, photometric: r.photometric ?? "rgb",
                                          interpolation: r.interpolation)
        }
        let name = URL(fileURLWithPath: descriptorPath).deletingPathExtension().lastPathComponent
        return Pyramid(descriptorPath: descriptorPath, name: name, format: format, tileMatrixSetID: raw.tile_matrix_set,
                       levels: levels, raster: raster, maskFormat: raw.mask_format)
    }
}

// The descriptor's JSON, key for key (§3 of the format note).
private struct RawDescriptor: Decodable {
    var format: String
    var tile_matrix_set: String
    var levels: [RawLevel]
    var raster_specifications: RawRasterSpecs?
    var mask_format: String?
}

private struct RawLevel: Decodable {
    var id: String
    var tiles_per_width: Int
    var tiles_per_height: Int
    var tile_limits: RawLimits
    var storage: RawStorage
    var tables: [RawTable]?
}

private struct RawLimits: Decodable {
    var min_col: Int, max_col: Int, min_row: Int, max_row: Int
}

private struct RawStorage: Decodable {
    var type: String
    var image_directory: String?
    var path_depth: Int?
    var mask_directory: String?
    var bucket_name: String?
    var pool_name: String?
    var container_name: String?
    var image_prefix: String?
}

private struct RawRasterSpecs: Decodable {
    var channels: Int
    var nodata: String?
    var photometric: String?
    var interpolation: String?
}

private struct RawTable: Decodable {
    var name: String
    var geometry: String?
    var attributes: [RawAttribute]?
}

private struct RawAttribute: Decodable {
    var name: String
    var type: String?
    var count: Int?
    var min: Double?
    var max: Double?
    var values: [LooseScalar]?
}

/// A JSON scalar of any kind, kept as text (attribute `values` may be strings or numbers).
private struct LooseScalar: Decodable {
    var text: String
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { text = s }
        else if let i = try? c.decode(Int.self) { text = String(i) }
        else if let d = try? c.decode(Double.self) { text = String(d) }
        else if let b = try? c.decode(Bool.self) { text = String(b) }
        else { text = "" }
    }
}
