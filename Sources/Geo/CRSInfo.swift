import CProj
import OGCCore
import Synchronization

/// What PROJ knows about a CRS: its official axis order, units and WGS84 area of use. Cached per name.
public struct CRSInfo: Sendable, Equatable {
    public enum Units: String, Sendable { case degrees, metres, other }

    /// The PROJ name ("EPSG:2154").
    public var name: String
    /// True when the official first axis points north (latitude or northing first), e.g. EPSG:4326.
    public var isNorthFirst: Bool
    public var isGeographic: Bool
    public var units: Units
    /// The area of use in WGS84 longitude/latitude, when PROJ knows it.
    public var areaOfUse: BBox?

    private static let cache = Mutex<[String: CRSInfo?]>([:])

    /// Looks a CRS up; nil when PROJ does not know it.
    public static func lookup(_ name: String) -> CRSInfo? {
        if let hit = cache.withLock({ $0[name] }) { return hit }
        let info = compute(name)
        cache.withLock { $0[name] = info }
        return info
    }

    public static func lookup(_ crs: CRSName) -> CRSInfo? { lookup(crs.projName) }
    public static func lookup(epsg: Int) -> CRSInfo? { lookup("EPSG:\(epsg)") }

    /// Whether PROJ knows this CRS.
    public static func isKnown(_ crs: CRSName) -> Bool { lookup(crs) != nil }

    private static func compute(_ name: String) -> CRSInfo? {
        guard let ctx = ProjContext.make() else { return nil }
        defer { proj_context_destroy(ctx) }
        guard let crs = proj_create(ctx, name) else { return nil }
        defer { proj_destroy(crs) }
        let type = proj_get_type(crs)
        let crsTypes: [PJ_TYPE] = [PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS, PJ_TYPE_GEODETIC_CRS,
                                   PJ_TYPE_GEOCENTRIC_CRS, PJ_TYPE_PROJECTED_CRS, PJ_TYPE_COMPOUND_CRS,
                                   PJ_TYPE_BOUND_CRS, PJ_TYPE_OTHER_CRS]
        guard crsTypes.contains(type) else { return nil }
        // For a compound CRS, the horizontal part is the first component.
        var horizontal: OpaquePointer? = crs
        var owned: OpaquePointer?
        if type == PJ_TYPE_COMPOUND_CRS {
            owned = proj_crs_get_sub_crs(ctx, crs, 0)
            horizontal = owned
        }
        defer { if let owned { proj_destroy(owned) } }
        guard let horizontal, let cs = proj_crs_get_coordinate_system(ctx, horizontal) else { return nil }
        defer { proj_destroy(cs) }
        guard proj_cs_get_axis_count(ctx, cs) >= 2 else { return nil }
        var direction: UnsafePointer<CChar>?
        var unitName: UnsafePointer<CChar>?
        var factor = 0.0
        guard proj_cs_get_axis_info(ctx, cs, 0, nil, nil, &direction, &factor, &unitName, nil, nil) != 0 else { return nil }
        let dir = direction.map { String(cString: $0).lowercased() } ?? ""
        let unit = unitName.map { String(cString: $0).lowercased() } ?? ""
        let units: Units = unit.contains("degree") ? .degrees : (unit == "metre" || unit == "meter") ? .metres : .other
        let htype = proj_get_type(horizontal)
        let geographic = htype == PJ_TYPE_GEOGRAPHIC_2D_CRS || htype == PJ_TYPE_GEOGRAPHIC_3D_CRS
        var w = 0.0, s = 0.0, e = 0.0, n = 0.0
        var area: BBox?
        if proj_get_area_of_use(ctx, crs, &w, &s, &e, &n, nil) != 0, w > -1000 {
            area = BBox(minX: w, minY: s, maxX: e, maxY: n)
        }
        return CRSInfo(name: name, isNorthFirst: dir == "north" || dir == "south", isGeographic: geographic,
                       units: units, areaOfUse: area)
    }
}
