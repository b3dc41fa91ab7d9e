import CGDAL
import Foundation

/// How one source layer becomes one table: its columns (names normalised, PostgreSQL types from OGR's field
/// types), its key, its geometry column's type and SRID. Built before any row is read.
struct LayerPlan {
    var layerName: String
    var table: String
    var fields: [Field]
    /// The key column (`fid`): the source's FID where the format has a FID column (GeoPackage), else 1, 2, 3…
    var fidColumn: String
    var keepsSourceFID: Bool
    var geometry: GeometryColumn?
    var renamed: [String: String]
    /// The GDAL driver of the source (the Shapefile driver recodes text itself).
    var driver = ""

    struct Field {
        var index: Int32
        var sourceName: String
        var column: String
        var kind: Kind
        var pgType: String
    }

    enum Kind { case int16, int32, boolean, int64, float32, float64, string, json, date, time, dateTime, binary, list }

    struct GeometryColumn {
        var column: String = "geom"
        /// The family the layer holds (PostGIS names: Point, MultiPoint, MultiLineString, MultiPolygon,
        /// GeometryCollection), decided from the declared type, or from the first geometry when the source
        /// declares none.
        var target: TargetType?
        var hasZ: Bool
        var srid: Int32

        /// `geometry(MultiPolygon, 2154)`; plain `geometry` while the type is not known yet (the column is
        /// then typed after the rows are in, see `PostGISTarget.typeGeometryColumn`).
        var pgType: String {
            guard let target else { return "geometry" }
            return "geometry(\(target.rawValue)\(hasZ ? "Z" : ""), \(srid))"
        }
    }

    /// Target geometry types: single lines and polygons are promoted to Multi*, points stay points.
    enum TargetType: String {
        case point = "Point", multiPoint = "MultiPoint", multiLineString = "MultiLineString"
        case multiPolygon = "MultiPolygon", geometryCollection = "GeometryCollection", geometry = "Geometry"

        /// The target for an OGR type (flattened, linear), nil for unknown/none.
        init?(ogr t: OGRwkbGeometryType) {
            switch t {
            case wkbPoint: self = .point
            case wkbMultiPoint: self = .multiPoint
            case wkbLineString, wkbMultiLineString: self = .multiLineString
            case wkbPolygon, wkbMultiPolygon, wkbTriangle, wkbTIN, wkbPolyhedralSurface: self = .multiPolygon
            case wkbGeometryCollection: self = .geometryCollection
            default: return nil
            }
        }

        /// Whether a geometry of OGR type `t` goes into this column as it is (`.asIs`), wrapped as the one
        /// member of a Multi* (`.promote`), or not at all.
        func accepts(_ t: OGRwkbGeometryType) -> Fit {
            switch (self, t) {
            case (.point, wkbPoint), (.multiPoint, wkbMultiPoint), (.multiLineString, wkbMultiLineString),
                 (.multiPolygon, wkbMultiPolygon), (.geometryCollection, wkbGeometryCollection), (.geometry, _):
                return .asIs
            case (.multiLineString, wkbLineString), (.multiPolygon, wkbPolygon): return .promote
            default: return .no
            }
        }

        enum Fit { case asIs, promote, no }
    }

    /// The plan of a layer; the checks of names and CRS are appended to `checks`.
    static func make(layer: OGRLayerH, tablePrefix: String, srsOverride: OGRSpatialReferenceH?, takenTables: Set<String>,
                     checks: inout [CheckResult]) -> LayerPlan {
        let layerName = String(cString: OGR_L_GetName(layer))
        let defn = OGR_L_GetLayerDefn(layer)
        let fieldCount = Int32(OGR_FD_GetFieldCount(defn))
        let rawNames = (0..<fieldCount).map { String(cString: OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, $0))) }
        let fidSource = String(cString: OGR_L_GetFIDColumn(layer))
        let fidColumn = fidSource.isEmpty ? "fid" : Identifiers.normalise(fidSource)
        let columns = Identifiers.normalise(rawNames, taken: [fidColumn, "geom"])
        var renamed: [String: String] = [:]
        for (raw, col) in zip(rawNames, columns) where raw != col { renamed[raw] = col }
        let table = Identifiers.normalise([tablePrefix + layerName], taken: takenTables)[0]

        if renamed.isEmpty {
            checks.append(CheckResult(.attributeNames, .pass, layer: layerName, reason: "\(fieldCount) field names are PostgreSQL identifiers"))
        } else {
            for raw in rawNames where renamed[raw] != nil {
                checks.append(CheckResult(.attributeNames, .warning, layer: layerName, field: raw,
                                          reason: "field \"\(raw)\" becomes column \(renamed[raw]!)"))
            }
        }

        var fields: [Field] = []
        for i in 0..<fieldCount {
            let fd = OGR_FD_GetFieldDefn(defn, i)
            let (kind, pgType) = Self.columnType(OGR_Fld_GetType(fd), OGR_Fld_GetSubType(fd))
            fields.append(Field(index: i, sourceName: rawNames[Int(i)], column: columns[Int(i)], kind: kind, pgType: pgType))
        }

        var geometry: GeometryColumn?
        let declared = OGR_L_GetGeomType(layer)
        if declared != wkbNone {
            let srs = srsOverride ?? OGR_L_GetSpatialRef(layer)
            var srid: Int32 = 0
            if let srs {
                if let code = CRSIdentification.epsg(of: srs) {
                    srid = code
                    let how = srsOverride != nil ? "given with --srs" : "declared"
                    checks.append(CheckResult(.crs, .pass, layer: layerName, reason: "CRS EPSG:\(code) (\(how))"))
                } else {
                    checks.append(CheckResult(.crs, .failure, layer: layerName,
                                              reason: "the declared CRS (\(CRSIdentification.name(of: srs))) matches no EPSG code; give one with --srs"))
                }
            } else {
                checks.append(CheckResult(.crs, .failure, layer: layerName, reason: "no CRS declared; give one with --srs EPSG:<code>"))
            }
            let linear = OGR_GT_GetLinear(OGR_GT_Flatten(declared))
            geometry = GeometryColumn(target: TargetType(ogr: linear), hasZ: OGR_GT_HasZ(declared) != 0, srid: srid)
        }
        return LayerPlan(layerName: layerName, table: table, fields: fields, fidColumn: fidColumn,
                         keepsSourceFID: !fidSource.isEmpty, geometry: geometry, renamed: renamed)
    }

    /// OGR field type → how a value is written, and the PostgreSQL column type.
    static func columnType(_ type: OGRFieldType, _ sub: OGRFieldSubType) -> (Kind, String) {
        switch type {
        case OFTInteger:
            if sub == OFSTBoolean { return (.boolean, "boolean") }
            return sub == OFSTInt16 ? (.int16, "smallint") : (.int32, "integer")
        case OFTInteger64: return (.int64, "bigint")
        case OFTReal: return sub == OFSTFloat32 ? (.float32, "real") : (.float64, "double precision")
        case OFTString: return sub == OFSTJSON ? (.json, "jsonb") : (.string, "character varying")
        case OFTDate: return (.date, "date")
        case OFTTime: return (.time, "time without time zone")
        case OFTDateTime: return (.dateTime, "timestamp with time zone")
        case OFTBinary: return (.binary, "bytea")
        default: return (.list, "character varying")
        }
    }

    /// The staging table's CREATE statement (columns in source order, then the geometry).
    func createStatement(schema: String, table: String) -> String {
        // NOT NULL from the start (every row gets a key): the primary key added after the COPY then needs no
        // scan of the table to prove it.
        var cols = ["\(Identifiers.quoted(fidColumn)) bigint NOT NULL"]
        cols += fields.map { "\(Identifiers.quoted($0.column)) \($0.pgType)" }
        if let g = geometry { cols.append("\(Identifiers.quoted(g.column)) \(g.pgType)") }
        return "CREATE TABLE \(Identifiers.quoted(schema)).\(Identifiers.quoted(table)) (\(cols.joined(separator: ", ")))"
    }

    var copyColumns: [String] { [fidColumn] + fields.map(\.column) + (geometry.map { [$0.column] } ?? []) }
}

/// EPSG codes of OGR spatial references.
enum CRSIdentification {
    /// The EPSG code of `srs`: its own authority code, else what GDAL identifies it as (with at least 90%
    /// confidence).
    static func epsg(of srs: OGRSpatialReferenceH) -> Int32? {
        if let name = OSRGetAuthorityName(srs, nil), String(cString: name) == "EPSG",
           let code = OSRGetAuthorityCode(srs, nil), let n = Int32(String(cString: code)) {
            return n
        }
        var count: Int32 = 0
        var confidences: UnsafeMutablePointer<Int32>?
        guard let matches = OSRFindMatches(srs, nil, &count, &confidences) else { return nil }
        defer { OSRFreeSRSArray(matches); VSIFree(confidences) }
        for i in 0..<Int(count) {
            guard let m = matches[i], (confidences?[i] ?? 0) >= 90,
                  let name = OSRGetAuthorityName(m, nil), String(cString: name) == "EPSG",
                  let code = OSRGetAuthorityCode(m, nil), let n = Int32(String(cString: code)) else { continue }
            return n
        }
        return nil
    }

    static func name(of srs: OGRSpatialReferenceH) -> String {
        OSRGetName(srs).map { String(cString: $0) } ?? "unnamed"
    }

    /// A spatial reference from a user's `EPSG:2154`, `2154`, WKT or PROJ string.
    static func parse(_ text: String) -> OGRSpatialReferenceH? {
        let srs = OSRNewSpatialReference(nil)
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER)
        let input = Int(text).map { "EPSG:\($0)" } ?? text
        guard OSRSetFromUserInput(srs, input) == OGRERR_NONE else { OSRDestroySpatialReference(srs); return nil }
        return srs
    }
}
