import CGDAL
import Config
import Foundation
import PyramidWriter
import TileStore

/// `passerelle pyramid vector`: tables of a VECTOR-DB stored data → a `TIFF_PBF_MVT` pyramid, the five steps
/// of the platform's vector-tile processing: the tables, their attributes, their levels, a generalisation
/// preset, an optional sample area. Tiles are made by GDAL's MVT driver (uncompressed, extent 4096, buffer 80,
/// as ROK4's tippecanoe settings) into a temporary folder, then packed into slabs.
public struct VectorTableSpec: Sendable {
    public var name: String
    public var topLevel: Int
    public var bottomLevel: Int
    /// nil keeps every attribute.
    public var attributes: [String]?

    public init(name: String, topLevel: Int, bottomLevel: Int, attributes: [String]?) {
        self.name = name; self.topLevel = topLevel; self.bottomLevel = bottomLevel; self.attributes = attributes
    }

    /// `NAME:TOP:BOTTOM[:ATTR,ATTR…]` (`*` or nothing: every attribute)
    public static func parse(_ s: String) throws -> VectorTableSpec {
        let p = s.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard p.count >= 3, !p[0].isEmpty, let top = Int(p[1]), let bottom = Int(p[2]), top <= bottom else {
            throw ProcessingError.invalid("--table \(s): expected NAME:TOP:BOTTOM[:ATTR,ATTR…] with TOP <= BOTTOM")
        }
        let attrs = p.count > 3 && !p[3].isEmpty && p[3] != "*" ? p[3].split(separator: ",").map(String.init) : nil
        return VectorTableSpec(name: p[0], topLevel: top, bottomLevel: bottom, attributes: attrs)
    }
}

public struct VectorPyramidOptions: Sendable {
    public var configDirectory: String
    public var storedData: String
    public var name: String
    public var tms = "PM"
    public var tables: [VectorTableSpec]
    /// none, light, strong.
    public var generalisation = "light"
    /// WKT in EPSG:4326: only the features meeting it, only the tiles around it.
    public var sampleArea: String?
    public var tilesPerWidth = 16
    public var tilesPerHeight = 16
    public var pathDepth = 2
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    public var title: String?
    public var quiet = false

    public init(configDirectory: String, storedData: String, name: String, tables: [VectorTableSpec]) {
        self.configDirectory = configDirectory; self.storedData = storedData; self.name = name; self.tables = tables
    }
}

public enum VectorPyramidBuilder {
    /// MVT driver simplification (in tile units of the 4096 grid) per preset; `strong` also simplifies the
    /// bottom levels.
    static func simplification(_ preset: String) throws -> (factor: Double, maxZoomOffset: Int) {
        switch preset.lowercased() {
        case "none": (0, 0)
        case "light": (1, 1)
        case "strong": (4, 0)
        default: throw ProcessingError.invalid("unknown generalisation \(preset) (none, light, strong)")
        }
    }

    static func openSource(_ o: VectorPyramidOptions) throws -> (GDALDatasetH, String) {
        var openOptions: [String] = []
        let path = o.configDirectory + "/stored_data/\(o.storedData).json"
        guard let data = FileManager.default.contents(atPath: path) else { throw ProcessingError.input(path, "no such stored data") }
        let sd: StoredData
        do { sd = try JSONDecoder().decode(StoredData.self, from: data) } catch { throw ProcessingError.input(path, "invalid stored data: \(error)") }
        guard sd.type == .vectorDB else { throw ProcessingError.input(path, "is \(sd.type.rawValue), not VECTOR-DB") }
        let source: String
        switch sd.storage.type.uppercased() {
        case "FILESYSTEM":
            guard let p = sd.storage.path else { throw ProcessingError.input(path, "storage.path is missing") }
            source = p.hasPrefix("/") ? p : o.configDirectory + "/" + p
        case "POSTGRESQL":
            guard let env = sd.storage.connectionEnv, let conn = ProcessInfo.processInfo.environment[env] else {
                throw ProcessingError.input(path, "the PostgreSQL connection variable \(sd.storage.connectionEnv ?? "connection_env") is not set")
            }
            source = "PG:" + conninfo(conn)
            if let schema = sd.storage.schema { openOptions.append("ACTIVE_SCHEMA=\(schema)") }
        default:
            throw ProcessingError.input(path, "storage type \(sd.storage.type) is not readable here")
        }
        var oo = CStringList(openOptions)
        defer { oo.free() }
        guard let ds = oo.with({ GDALOpenEx(source, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, openOptions.isEmpty ? nil : UnsafePointer(OpaquePointer($0)), nil) }) else {
            throw ProcessingError.input(source.hasPrefix("PG:") ? "stored data \(o.storedData)" : source, "unreadable: \(GDAL.lastError())")
        }
        return (ds, sd.name)
    }

    /// A libpq URL (`postgres://user:pass@host:port/db?sslmode=…`) as key=value conninfo, which GDAL's PG driver
    /// takes (it appends its own keys to the string, which a URL does not survive). Other strings pass as they are.
    static func conninfo(_ s: String) -> String {
        guard s.hasPrefix("postgres://") || s.hasPrefix("postgresql://"), let u = URLComponents(string: s) else { return s }
        func q(_ v: String) -> String { "'" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        var parts: [String] = []
        if let h = u.host, !h.isEmpty { parts.append("host=\(q(h))") }
        if let p = u.port { parts.append("port=\(p)") }
        if let user = u.user?.removingPercentEncoding { parts.append("user=\(q(user))") }
        if let pw = u.password?.removingPercentEncoding { parts.append("password=\(q(pw))") }
        let db = String(u.path.dropFirst())
        if !db.isEmpty { parts.append("dbname=\(q(db.removingPercentEncoding ?? db))") }
        for item in u.queryItems ?? [] { if let v = item.value { parts.append("\(item.name)=\(q(v))") } }
        return parts.joined(separator: " ")
    }

    public static func build(_ o: VectorPyramidOptions) throws -> PyramidBuildReport {
        let t0 = Date()
        _ = GDAL.registered
        guard !o.tables.isEmpty else { throw ProcessingError.invalid("give at least one --table") }
        guard o.tilesPerWidth * o.tilesPerHeight > 1 else { throw ProcessingError.invalid("slabs must hold at least 2 tiles") }
        let layout = PyramidLayout(configDirectory: o.configDirectory, name: o.name, pathDepth: o.pathDepth)
        let tms = try TileMatrixSet.load(URL(fileURLWithPath: layout.tileMatrixSetsDirectory).appendingPathComponent(o.tms + ".json"))
        guard tms.crs.uppercased() == "EPSG:3857", tms.matrix("0")?.matrixWidth == 1 else {
            throw ProcessingError.invalid("vector pyramids are made in PM-like tile matrix sets (EPSG:3857, level 0 one tile); \(o.tms) is not")
        }
        for t in o.tables where tms.matrix(String(t.topLevel)) == nil || tms.matrix(String(t.bottomLevel)) == nil {
            throw ProcessingError.invalid("table \(t.name): levels \(t.topLevel)–\(t.bottomLevel) are not all in \(tms.id)")
        }
        let progress = ProgressReporter(label: "pyramid vector \(o.name)", quiet: o.quiet)
        let (src, sdName) = try openSource(o)
        defer { GDALClose(src) }
        let zmin = o.tables.map(\.topLevel).min()!, zmax = o.tables.map(\.bottomLevel).max()!
        let simp = try simplification(o.generalisation)

        // 1. MVT tiles into a temporary folder beside the pyramid.
        try FileManager.default.createDirectory(atPath: layout.pyramidsDirectory, withIntermediateDirectories: true)
        let tmp = layout.pyramidsDirectory + "/.\(o.name).mvt-\(getpid())"
        try? FileManager.default.removeItem(atPath: tmp)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        guard let drv = GDALGetDriverByName("MVT") else { throw ProcessingError.gdal("GDAL has no MVT driver") }
        var dsco = ["FORMAT=DIRECTORY", "TILE_EXTENSION=pbf", "COMPRESS=NO", "EXTENT=4096", "BUFFER=80",
                    "MINZOOM=\(zmin)", "MAXZOOM=\(zmax)", "MAX_SIZE=2000000", "MAX_FEATURES=500000"]
        if simp.factor > 0 { dsco += ["SIMPLIFICATION=\(simp.factor)", "SIMPLIFICATION_MAX_ZOOM=\(max(zmin, zmax - simp.maxZoomOffset))"] }
        var dscoList = CStringList(dsco)
        defer { dscoList.free() }
        guard let dst = dscoList.with({ GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, $0) }) else {
            throw ProcessingError.gdal("cannot create the MVT output: \(GDAL.lastError())")
        }
        let area = try o.sampleArea.map { try AreaFilter(wkt: $0, target: SpatialRef(userInput: "EPSG:4326")) }
        var tables: [(spec: VectorTableSpec, doc: DescriptorDocument.Table)] = []
        var features = 0
        do {
            defer { GDALClose(dst) }
            for spec in o.tables {
                let (table, n) = try copyTable(spec, from: src, to: dst, area: area)
                tables.append((spec, table))
                features += n
                progress.line("pyramid vector \(o.name): table \(spec.name), \(n) features, levels \(spec.topLevel)–\(spec.bottomLevel), "
                              + "attributes \(table.attributes.map(\.name).joined(separator: ","))")
            }
            progress.line("pyramid vector \(o.name): encoding the tiles (GDAL MVT)…")
        }

        // 2. Pack the tiles into slabs, level by level; limits from the tiles produced.
        let sampleBox = try o.sampleArea.map { try AreaFilter(wkt: $0, target: SpatialRef(userInput: tms.crs)).bbox }
        var plans: [LevelPlan] = []
        var tablesByLevel: [String: [DescriptorDocument.Table]] = [:]
        for z in zmin...zmax {
            let lid = String(z)
            let m = tms.matrix(lid)!
            var lim: TileLimits?
            let zdir = tmp + "/\(z)"
            for xs in (try? FileManager.default.contentsOfDirectory(atPath: zdir)) ?? [] {
                guard let x = Int(xs) else { continue }
                for ys in (try? FileManager.default.contentsOfDirectory(atPath: zdir + "/" + xs)) ?? [] where ys.hasSuffix(".pbf") {
                    guard let y = Int(ys.dropLast(4)) else { continue }
                    if var l = lim {
                        l.minCol = min(l.minCol, x); l.maxCol = max(l.maxCol, x); l.minRow = min(l.minRow, y); l.maxRow = max(l.maxRow, y)
                        lim = l
                    } else { lim = TileLimits(minCol: x, maxCol: x, minRow: y, maxRow: y) }
                }
            }
            // A sample keeps the tiles around its area only.
            if let sampleBox, let l = lim, let a = LevelPlanner.tileLimits(covering: sampleBox, in: m) {
                let c = TileLimits(minCol: max(l.minCol, a.minCol), maxCol: min(l.maxCol, a.maxCol),
                                   minRow: max(l.minRow, a.minRow), maxRow: min(l.maxRow, a.maxRow))
                lim = c.minCol <= c.maxCol && c.minRow <= c.maxRow ? c : nil
            }
            guard let lim else { continue }
            plans.append(LevelPlan(matrix: m, limits: lim, tilesPerWidth: o.tilesPerWidth, tilesPerHeight: o.tilesPerHeight))
            tablesByLevel[lid] = tables.filter { $0.spec.topLevel <= z && z <= $0.spec.bottomLevel }.map(\.doc)
        }
        guard !plans.isEmpty else { throw ProcessingError.invalid("no tile was produced: the tables (or the sample area) hold no feature") }
        RasterPyramidBuilder.removeTemporaries(in: layout.pyramidsDirectory + "/\(o.name)")
        let header = SlabHeader.vector(tilesPerWidth: o.tilesPerWidth, tilesPerHeight: o.tilesPerHeight)
        let stats = Stats()
        for plan in plans.reversed() {
            let slabs = plan.slabs
            progress.begin(level: plan.id, slabs: slabs.count)
            try WorkerPool.run(items: slabs.count, jobs: o.jobs) { pool, _ in
                while let i = pool.next() {
                    let s = slabs[i]
                    var tiles: [[UInt8]?] = []
                    for k in 0..<plan.tilesPerSlab {
                        let (c, r) = plan.tile(k, of: s)
                        tiles.append(plan.limits.contains(col: c, row: r)
                                     ? FileManager.default.contents(atPath: tmp + "/\(plan.id)/\(c)/\(r).pbf").map { Array($0) } : nil)
                    }
                    let n = tiles.count { $0 != nil }
                    if n > 0 {
                        try AtomicFile.write(SlabEncoder.encode(header: header, tiles: tiles), to: layout.slabPath(level: plan.id, slab: s))
                    } else {
                        try? FileManager.default.removeItem(atPath: layout.slabPath(level: plan.id, slab: s))
                    }
                    stats.add(written: n > 0 ? 1 : 0, tiles: n)
                    progress.advance()
                }
            }
        }
        let descriptor = DescriptorDocument(name: o.name, format: .pbfMVT, tms: tms.id, levels: plans, pathDepth: o.pathDepth,
                                            raster: nil, masks: false, tables: tablesByLevel)
        let sd = StoredDataDocument.pyramid(name: o.name, title: o.title ?? "\(sdName) (tuiles vectorielles)", vector: true, tms: tms.id,
                                            srs: tms.crs, levels: plans.map(\.id), channelsFormat: nil, channels: nil, compression: nil,
                                            nodata: nil)
        try layout.finish(descriptor: descriptor, levels: plans, masks: false, storedData: sd)
        var report = PyramidBuildReport(levels: plans.map(\.id))
        report.slabsWritten = stats.written; report.tilesWritten = stats.tiles
        report.seconds = Date().timeIntervalSince(t0); report.descriptorPath = layout.descriptorPath
        progress.line(String(format: "pyramid vector %@: %d features, %d slabs, %d tiles in %.1f s (%.0f tiles/s) → %@", o.name, features,
                             report.slabsWritten, report.tilesWritten, report.seconds, Double(report.tilesWritten) / max(report.seconds, 1e-3),
                             layout.descriptorPath))
        return report
    }

    /// Copies one table's features (chosen attributes only, in the sample area if any) into an MVT layer with
    /// its levels, and describes it as ROK4 `tables[]` do (type, distinct count, min/max, values up to 100).
    static func copyTable(_ spec: VectorTableSpec, from src: GDALDatasetH, to dst: GDALDatasetH,
                          area: AreaFilter?) throws -> (DescriptorDocument.Table, Int) {
        guard let layer = GDALDatasetGetLayerByName(src, spec.name) else {
            throw ProcessingError.invalid("table \(spec.name) is not in the stored data")
        }
        let defn = OGR_L_GetLayerDefn(layer)
        var fields: [(src: Int32, name: String, type: OGRFieldType)] = []
        let count = OGR_FD_GetFieldCount(defn)
        var available: [String: Int32] = [:]
        for i in 0..<count { available[String(cString: OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)))] = i }
        for name in spec.attributes ?? (0..<count).map({ String(cString: OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, $0))) }) {
            guard let i = available[name] else {
                throw ProcessingError.invalid("table \(spec.name) has no attribute \(name) (it has \(available.keys.sorted().joined(separator: ", ")))")
            }
            fields.append((i, name, OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, i))))
        }
        var lco = CStringList(["MINZOOM=\(spec.topLevel)", "MAXZOOM=\(spec.bottomLevel)"])
        defer { lco.free() }
        let gtype = OGR_L_GetGeomType(layer)
        guard let out = lco.with({ GDALDatasetCreateLayer(dst, spec.name, OGR_L_GetSpatialRef(layer), gtype, $0) }) else {
            throw ProcessingError.gdal("cannot create MVT layer \(spec.name): \(GDAL.lastError())")
        }
        for f in fields {
            let fd = OGR_Fld_Create(f.name, f.type)
            OGR_L_CreateField(out, fd, 1)
            OGR_Fld_Destroy(fd)
        }
        let outDefn = OGR_L_GetLayerDefn(out)
        if let area {
            // The area is in EPSG:4326 (GIS order); filter in the layer's CRS.
            let g = OGR_G_Clone(area.geometry)
            if let lsrs = OGR_L_GetSpatialRef(layer) {
                let target = SpatialRef(cloning: lsrs)
                let s4326 = try SpatialRef(userInput: "EPSG:4326")
                if let ct = OCTNewCoordinateTransformation(s4326.handle, target.handle) {
                    OGR_G_Transform(g, ct)
                    OCTDestroyCoordinateTransformation(ct)
                }
            }
            OGR_L_SetSpatialFilter(layer, g)
            OGR_G_DestroyGeometry(g)
        } else {
            OGR_L_SetSpatialFilter(layer, nil)
        }
        OGR_L_ResetReading(layer)
        var distinct = [Set<String>](repeating: [], count: fields.count)
        var mins = [Double?](repeating: nil, count: fields.count), maxs = mins
        var n = 0
        while let feat = OGR_L_GetNextFeature(layer) {
            defer { OGR_F_Destroy(feat) }
            guard let geom = OGR_F_GetGeometryRef(feat) else { continue }
            let of = OGR_F_Create(outDefn)!
            defer { OGR_F_Destroy(of) }
            OGR_F_SetGeometry(of, geom)
            for (k, f) in fields.enumerated() where OGR_F_IsFieldSetAndNotNull(feat, f.src) != 0 {
                switch f.type {
                case OFTInteger, OFTInteger64:
                    let v = OGR_F_GetFieldAsInteger64(feat, f.src)
                    OGR_F_SetFieldInteger64(of, Int32(k), v)
                    let d = Double(v); mins[k] = min(mins[k] ?? d, d); maxs[k] = max(maxs[k] ?? d, d)
                    distinct[k].insert(String(v))
                case OFTReal:
                    let v = OGR_F_GetFieldAsDouble(feat, f.src)
                    OGR_F_SetFieldDouble(of, Int32(k), v)
                    mins[k] = min(mins[k] ?? v, v); maxs[k] = max(maxs[k] ?? v, v)
                    distinct[k].insert(String(v))
                default:
                    let v = String(cString: OGR_F_GetFieldAsString(feat, f.src))
                    OGR_F_SetFieldString(of, Int32(k), v)
                    distinct[k].insert(v)
                }
            }
            guard OGR_L_CreateFeature(out, of) == OGRERR_NONE else { throw ProcessingError.gdal("MVT write: \(GDAL.lastError())") }
            n += 1
        }
        OGR_L_SetSpatialFilter(layer, nil)
        let attrs = fields.enumerated().map { k, f -> DescriptorDocument.Attribute in
            let numeric = f.type == OFTInteger || f.type == OFTInteger64 || f.type == OFTReal
            let typeName = String(cString: OGR_GetFieldTypeName(f.type)).lowercased()
            return DescriptorDocument.Attribute(name: f.name, type: typeName, count: distinct[k].count,
                                                min: numeric ? mins[k] : nil, max: numeric ? maxs[k] : nil,
                                                values: !numeric && distinct[k].count <= 100 ? distinct[k].sorted() : nil)
        }
        let geometry = String(cString: OGRGeometryTypeToName(gtype)).uppercased().replacingOccurrences(of: " ", with: "")
        return (DescriptorDocument.Table(name: spec.name, geometry: geometry, attributes: attrs), n)
    }
}

