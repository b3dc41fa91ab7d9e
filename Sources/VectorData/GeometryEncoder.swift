import Geo

/// Turns a stored geometry (WKB in the native CRS) into what a query asked for: reprojected, simplified, as
/// WKB or GeoJSON text. One per query; not shared between threads (it owns a GEOS context when simplifying).
final class GeometryEncoder {
    let output: GeometryOutput
    let transformer: CoordinateTransformer?
    let tolerance: Double?
    private lazy var geos = GEOSContext()
    private let json: GeoJSONWriter

    init(output: GeometryOutput, nativeSRID: Int, outputSRID: Int?, tolerance: Double?) throws {
        self.output = output
        if let o = outputSRID, o != nativeSRID {
            do { transformer = try CoordinateTransformer.make(from: nativeSRID, to: o) }
            catch { throw VectorDataError.queryFailed(error.description) }
        } else {
            transformer = nil
        }
        self.tolerance = tolerance.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
        if case .geoJSON(let d) = output { json = GeoJSONWriter(decimals: d) } else { json = GeoJSONWriter() }
    }

    /// Whether the WKB can be passed through untouched: no reprojection, no simplification, 2D little-endian.
    private func isPlainWKB(_ wkb: UnsafeRawBufferPointer) -> Bool {
        guard transformer == nil, tolerance == nil, wkb.count >= 5, wkb[0] == 1 else { return false }
        let t = UInt32(littleEndian: wkb.loadUnaligned(fromByteOffset: 1, as: UInt32.self))
        return (1...7).contains(t)
    }

    func encode(wkb: UnsafeRawBufferPointer) throws -> [UInt8]? {
        switch output {
        case .none: return nil
        case .wkb:
            if isPlainWKB(wkb) { return Array(wkb) }
            return WKB.encode(try process(WKB.decode(wkb)))
        case .geoJSON:
            return json.bytes(try process(WKB.decode(wkb)))
        }
    }

    func process(_ g: Geometry) throws -> Geometry {
        var g = g
        if let transformer {
            do { g = try transformer.transform(g) } catch { throw VectorDataError.queryFailed(error.description) }
        }
        if let tolerance {
            do { g = try geos.simplify(g, tolerance: tolerance) } catch { throw VectorDataError.queryFailed(error.description) }
        }
        return g
    }
}
