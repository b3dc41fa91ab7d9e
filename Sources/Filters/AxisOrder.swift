import Geo
import OGCCore

extension CRSName {
    /// True when coordinates written with this spelling come latitude/northing first and must be swapped to
    /// Passerelle's x/y order. WFS 1.1/2.0 and GML follow the official (EPSG) axis order for the `urn:` and
    /// `http://www.opengis.net/def/crs/` spellings; the `EPSG:4326` and `…/epsg.xml#4326` spellings keep the
    /// traditional longitude/latitude order (GeoServer's and MapServer's behaviour, which clients rely on).
    /// The official axis order comes from PROJ (`CRSInfo`).
    public var swapsAxesInWFS: Bool {
        guard spelling == .urn || spelling == .uri else { return false }
        return CRSInfo.lookup(self)?.isNorthFirst ?? false
    }
}
