import Foundation
import Geo
import OGCCore

/// The part of the world an image shows: a bounding box in the map CRS (x east, y north) drawn on
/// `width` × `height` pixels.
public struct MapView: Sendable, Equatable {
    public var bbox: BBox
    public var width: Int
    public var height: Int
    /// Degrees (geographic CRS) or metres per map unit, for the scale denominator.
    public var metresPerUnit: Double

    /// OGC's standardised rendering pixel: 0.28 mm.
    public static let standardPixelMetres = 0.00028
    /// Metres per degree on the WGS84 semi-major axis (what OGC and GeoServer use for geographic CRSs).
    public static let metresPerDegree = 6378137.0 * 2 * Double.pi / 360

    public init(bbox: BBox, width: Int, height: Int, metresPerUnit: Double = 1) {
        self.bbox = bbox; self.width = width; self.height = height; self.metresPerUnit = metresPerUnit
    }

    /// Map units per pixel, horizontally and vertically.
    public var resolutionX: Double { bbox.width / Double(width) }
    public var resolutionY: Double { bbox.height / Double(height) }
    /// The larger of the two resolutions: simplifying at this tolerance changes nothing visible.
    public var pixelSize: Double { max(resolutionX, resolutionY) }

    /// The scale denominator, as SLD Min/MaxScaleDenominator compare it.
    public var scaleDenominator: Double { resolutionX * metresPerUnit / MapView.standardPixelMetres }

    /// Ground metres per pixel, for symbol sizes in metres or feet (SE `uom`): the resolution in metres for a
    /// projected CRS; for a geographic one, degrees converted to metres along the parallel at the view's centre.
    public var groundMetresPerPixel: Double {
        guard metresPerUnit == MapView.metresPerDegree else { return resolutionX * metresPerUnit }
        let latitude = max(-89.9, min(89.9, (bbox.minY + bbox.maxY) / 2))
        return resolutionX * metresPerUnit * cos(latitude * .pi / 180)
    }

    @inline(__always) public func pixel(_ c: Coord) -> (x: Double, y: Double) {
        ((c.x - bbox.minX) / resolutionX, (bbox.maxY - c.y) / resolutionY)
    }

    /// The map coordinate of a pixel position (fractional pixels; 0.5 is the centre of the first pixel).
    public func world(x: Double, y: Double) -> Coord {
        Coord(bbox.minX + x * resolutionX, bbox.maxY - y * resolutionY)
    }

    /// The view's box grown by `pixels` on every side (for fetching features whose labels or strokes reach in).
    public func bufferedBBox(pixels: Double) -> BBox {
        BBox(minX: bbox.minX - pixels * resolutionX, minY: bbox.minY - pixels * resolutionY,
             maxX: bbox.maxX + pixels * resolutionX, maxY: bbox.maxY + pixels * resolutionY)
    }
}
