import Foundation
import Filters
import Geo
import OGCCore
import VectorData

/// CSV: `FID`, the attributes, then the geometry as WKT (x/y order).
struct CSVEncoder: FeatureEncoder {
    var fields: [FieldInfo]
    var geometryColumn: String?

    func begin(_ info: CollectionInfo, to out: inout [UInt8]) {
        var cols = ["FID"] + fields.map(\.name)
        if let g = geometryColumn { cols.append(g) }
        out.put(cols.map(CSVEncoder.quote).joined(separator: ",") + "\r\n")
    }

    func feature(_ f: Feature, _ plan: PlannedQuery, first: Bool, to out: inout [UInt8]) throws {
        var cells = [CSVEncoder.quote(plan.type.localName + "." + f.id)]
        for v in f.values { cells.append(v == .null ? "" : CSVEncoder.quote(v.description)) }
        if geometryColumn != nil {
            cells.append(try f.decodedGeometry().map { CSVEncoder.quote(WKTWriter.string($0)) } ?? "")
        }
        out.put(cells.joined(separator: ",") + "\r\n")
    }

    func end(_ info: CollectionInfo, returned: Int, to out: inout [UInt8]) {}

    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Minimal WKT output for CSV.
enum WKTWriter {
    static func string(_ g: Geometry) -> String {
        func cs(_ c: [Coord]) -> String { "(" + c.map { "\(NumberFormatting.string($0.x, decimals: 8)) \(NumberFormatting.string($0.y, decimals: 8))" }.joined(separator: ", ") + ")" }
        func rs(_ r: [[Coord]]) -> String { "(" + r.map(cs).joined(separator: ", ") + ")" }
        switch g {
        case .point(let c): return "POINT " + cs([c])
        case .lineString(let c): return "LINESTRING " + cs(c)
        case .polygon(let r): return "POLYGON " + rs(r)
        case .multiPoint(let c): return "MULTIPOINT " + cs(c)
        case .multiLineString(let r): return "MULTILINESTRING " + rs(r)
        case .multiPolygon(let p): return "MULTIPOLYGON (" + p.map(rs).joined(separator: ", ") + ")"
        case .collection(let gs): return "GEOMETRYCOLLECTION (" + gs.map(string).joined(separator: ", ") + ")"
        }
    }
}
