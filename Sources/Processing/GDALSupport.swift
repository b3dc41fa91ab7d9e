import CGDAL
import Foundation

/// GDAL registered once, with a bounded block cache (the pyramid's memory is per slab, not per input).
enum GDAL {
    static let registered: Bool = {
        if CPLGetConfigOption("GDAL_CACHEMAX", nil) == nil { CPLSetConfigOption("GDAL_CACHEMAX", "96") }
        GDALAllRegister()
        return true
    }()

    static func lastError() -> String {
        let m = String(cString: CPLGetLastErrorMsg())
        return m.isEmpty ? "unknown GDAL error" : m
    }
}

/// A NULL-terminated `char**` for GDAL option lists; freed by `free()`.
struct CStringList {
    var pointers: [UnsafeMutablePointer<CChar>?]
    init(_ items: [String]) { pointers = items.map { strdup($0) } + [nil] }
    func free() { for p in pointers { Foundation.free(p) } }
    mutating func with<R>(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws -> R) rethrows -> R {
        try pointers.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

/// A spatial reference, in GIS axis order (easting first).
final class SpatialRef: @unchecked Sendable {
    let handle: OGRSpatialReferenceH
    init(userInput: String) throws {
        _ = GDAL.registered
        handle = OSRNewSpatialReference(nil)
        // On failure the handle is freed by deinit (it runs: every stored property is initialised).
        guard OSRSetFromUserInput(handle, userInput) == OGRERR_NONE else { throw ProcessingError.unknownCRS(userInput) }
        OSRSetAxisMappingStrategy(handle, OAMS_TRADITIONAL_GIS_ORDER)
    }
    init(cloning h: OGRSpatialReferenceH) {
        handle = OSRClone(h)
        OSRSetAxisMappingStrategy(handle, OAMS_TRADITIONAL_GIS_ORDER)
    }
    deinit { OSRDestroySpatialReference(handle) }

    var wkt: String {
        var p: UnsafeMutablePointer<CChar>?
        OSRExportToWkt(handle, &p)
        defer { VSIFree(p) }
        return p.map { String(cString: $0) } ?? ""
    }

    /// The bounds of a rectangle of this CRS in `target` (edges densified).
    func transform(_ b: (Double, Double, Double, Double), to target: SpatialRef) -> (Double, Double, Double, Double)? {
        guard let ct = OCTNewCoordinateTransformation(handle, target.handle) else { return nil }
        defer { OCTDestroyCoordinateTransformation(ct) }
        var a = 0.0, b2 = 0.0, c = 0.0, d = 0.0
        guard OCTTransformBounds(ct, b.0, b.1, b.2, b.3, &a, &b2, &c, &d, 21) != 0 else { return nil }
        return (a, b2, c, d)
    }
}

public enum ProcessingError: Error, CustomStringConvertible {
    case input(String, String)
    case unknownCRS(String)
    case invalid(String)
    case gdal(String)
    case http(String, String)

    public var description: String {
        switch self {
        case .input(let path, let m): "\(path): \(m)"
        case .unknownCRS(let c): "unknown CRS \(c)"
        case .invalid(let m): m
        case .gdal(let m): "GDAL: \(m)"
        case .http(let url, let m): "\(m) (\(url))"
        }
    }
}
