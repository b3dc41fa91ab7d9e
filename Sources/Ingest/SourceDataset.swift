import CGDAL
import Foundation

/// A user's vector file opened read-only through GDAL/OGR: GeoPackage, GeoJSON, Shapefile (also in a .zip),
/// CSV with a WKT column or longitude/latitude columns, FlatGeobuf, and whatever else OGR reads. Not Sendable:
/// GDAL handles belong to one thread at a time.
final class SourceDataset {
    let path: String
    let handle: GDALDatasetH

    private init(path: String, handle: GDALDatasetH) { self.path = path; self.handle = handle }
    deinit { GDALClose(handle) }

    /// Opens `path`; a `.zip` is read through `/vsizip/`, a CSV with the geometry columns guessed from
    /// common names (`wkt`, `geom`, `geometry`, `the_geom`; `lon`/`longitude`/`x` and `lat`/`latitude`/`y`).
    /// `encoding` (e.g. `LATIN1`) is given to the Shapefile driver, which then recodes to UTF-8 itself.
    static func open(_ path: String, encoding: String?) throws(ImportError) -> SourceDataset {
        GDALSetup.once()
        guard FileManager.default.isReadableFile(atPath: path) else { throw .unreadable(path, "no such file, or not readable") }
        let lower = path.lowercased()
        let gdalPath = lower.hasSuffix(".zip") ? "/vsizip/" + URL(fileURLWithPath: path).standardizedFileURL.path : path
        var options = [String]()
        if lower.hasSuffix(".csv") {
            options += ["GEOM_POSSIBLE_NAMES=wkt,geom,geometry,the_geom,wkb_geometry",
                        "X_POSSIBLE_NAMES=lon,lng,long,longitude,x", "Y_POSSIBLE_NAMES=lat,latitude,y",
                        "KEEP_GEOM_COLUMNS=NO", "AUTODETECT_TYPE=YES"]
        }
        if let encoding { options.append("ENCODING=\(encoding)") }
        CPLErrorReset()
        let handle = withCStrings(options) { opts in
            GDALOpenEx(gdalPath, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR), nil, opts, nil)
        }
        guard let handle else {
            throw .unreadable(path, GDALSetup.lastError() ?? "not a vector format GDAL reads")
        }
        return SourceDataset(path: path, handle: handle)
    }

    var layerCount: Int { Int(GDALDatasetGetLayerCount(handle)) }

    func layer(_ i: Int) -> OGRLayerH? { GDALDatasetGetLayer(handle, Int32(i)) }

    /// The driver's short name (GPKG, GeoJSON, ESRI Shapefile, CSV, FlatGeobuf…).
    var driverName: String {
        guard let d = GDALGetDatasetDriver(handle), let n = GDALGetDriverShortName(d) else { return "" }
        return String(cString: n)
    }
}

/// GDAL's one-time registration, and its error messages kept for reports instead of printed on stderr.
enum GDALSetup {
    private static let registered: Void = {
        GDALAllRegister()
        CPLSetErrorHandler(CPLQuietErrorHandler)
    }()

    static func once() { _ = registered }

    /// The last GDAL error message, if any.
    static func lastError() -> String? {
        guard CPLGetLastErrorType() != CE_None, let m = CPLGetLastErrorMsg() else { return nil }
        let s = String(cString: m)
        return s.isEmpty ? nil : s
    }
}

/// Calls `body` with a NULL-terminated `const char* const*` of `strings` (nil when empty).
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    if strings.isEmpty { return body(nil) }
    let owned: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for p in owned { free(p) } }
    let pointers: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
