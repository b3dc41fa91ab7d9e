/// An axis-aligned rectangle in some CRS, always stored as (minX, minY, maxX, maxY) in the CRS's
/// *east/north* (x, y) order, whatever the axis order of the request it came from.
public struct BBox: Sendable, Hashable, Codable, CustomStringConvertible {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }

    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public var isEmpty: Bool { !(maxX > minX && maxY > minY) }
    public var isFinite: Bool { minX.isFinite && minY.isFinite && maxX.isFinite && maxY.isFinite }
    public var description: String { "\(minX),\(minY),\(maxX),\(maxY)" }

    public func intersects(_ o: BBox) -> Bool {
        minX <= o.maxX && o.minX <= maxX && minY <= o.maxY && o.minY <= maxY
    }

    public func intersection(_ o: BBox) -> BBox? {
        let r = BBox(minX: Swift.max(minX, o.minX), minY: Swift.max(minY, o.minY),
                     maxX: Swift.min(maxX, o.maxX), maxY: Swift.min(maxY, o.maxY))
        return r.maxX >= r.minX && r.maxY >= r.minY ? r : nil
    }

    public func union(_ o: BBox) -> BBox {
        BBox(minX: Swift.min(minX, o.minX), minY: Swift.min(minY, o.minY),
             maxX: Swift.max(maxX, o.maxX), maxY: Swift.max(maxY, o.maxY))
    }

    public func contains(x: Double, y: Double) -> Bool { x >= minX && x <= maxX && y >= minY && y <= maxY }

    public func expanded(by d: Double) -> BBox {
        BBox(minX: minX - d, minY: minY - d, maxX: maxX + d, maxY: maxY + d)
    }

    /// Parses "a,b,c,d" (optionally followed by a fifth CRS item, as WFS allows).
    /// - Parameter swapAxes: true when the values come in north/east order (lat/lon) and must be swapped.
    /// Refuses NaN, infinities, and min > max.
    public static func parse(_ s: String, parameter: String = "BBOX", swapAxes: Bool = false,
                             allowCRSSuffix: Bool = false) throws(OGCError) -> (BBox, String?) {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard parts.count == 4 || (allowCRSSuffix && parts.count == 5) else {
            throw OGCError.invalid(parameter, "\(parameter) must have four comma-separated numbers")
        }
        var v: [Double] = []
        for p in parts.prefix(4) {
            guard let d = Double(p), d.isFinite else {
                throw OGCError.invalid(parameter, "\(parameter) holds a value that is not a finite number")
            }
            v.append(d)
        }
        let b = swapAxes ? BBox(minX: v[1], minY: v[0], maxX: v[3], maxY: v[2])
                         : BBox(minX: v[0], minY: v[1], maxX: v[2], maxY: v[3])
        guard b.minX <= b.maxX, b.minY <= b.maxY else {
            throw OGCError.invalid(parameter, "\(parameter) has a minimum greater than its maximum")
        }
        return (b, parts.count == 5 ? parts[4] : nil)
    }
}
