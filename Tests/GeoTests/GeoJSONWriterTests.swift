import Foundation
import Geo
import Testing

@Suite struct GeoJSONWriterTests {
    @Test func numbersHaveNoExponentAndNoTrailingZeros() {
        #expect(NumberFormatting.string(1e-9, decimals: 7) == "0")
        #expect(NumberFormatting.string(0.00001234, decimals: 7) == "0.0000123")
        #expect(NumberFormatting.string(-2.5, decimals: 3) == "-2.5")
        #expect(NumberFormatting.string(261845.7059, decimals: 2) == "261845.71")
        #expect(NumberFormatting.string(1e20, decimals: 2) == "100000000000000000000")
        #expect(NumberFormatting.string(-0.0000001, decimals: 3) == "0")
        #expect(NumberFormatting.string(48.8566, decimals: 0) == "49")
    }

    @Test func writesParseableGeoJSON() throws {
        let g = Geometry.multiPolygon([[[Coord(2.35, 48.85), Coord(2.36, 48.85), Coord(2.36, 48.86), Coord(2.35, 48.85)]]])
        let text = GeoJSONWriter(decimals: 5).string(g)
        #expect(text == #"{"type":"MultiPolygon","coordinates":[[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.85]]]]}"#)
        let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(obj?["type"] as? String == "MultiPolygon")
        let c = GeoJSONWriter().string(.collection([.point(Coord(1, 2)), .lineString([Coord(0, 0), Coord(1e-3, 5)])]))
        #expect(c == #"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0,0],[0.001,5]]}]}"#)
    }
}
