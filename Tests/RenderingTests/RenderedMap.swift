import Filters
import Foundation
import Geo
import ImageCodec
import OGCCore
import Styling
import Testing
@testable import Rendering

/// A small map drawn with an SLD's symbolizers on a white background, for decoded-pixel tests of what the
/// symbolizers draw.
struct RenderedMap {
    let image: RasterImage
    let warnings: [String]

    /// `symbolizers`: SE 1.1 symbolizer elements (prefix `se:`), put into one rule of a whole SLD.
    /// The view spans `bbox` on `size` × `size` pixels; `metresPerUnit` as MapView takes it.
    init(_ symbolizers: String, features: [RenderFeature], bbox: BBox = BBox(minX: 0, minY: 0, maxX: 100, maxY: 100),
         size: Int = 100, metresPerUnit: Double = 1, graphicsDirectory: String? = nil) throws {
        let xml = """
        <StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
          xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink">
          <NamedLayer><se:Name>t</se:Name><UserStyle><se:FeatureTypeStyle><se:Rule>
          \(symbolizers)
          </se:Rule></se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
        """
        var parser = SLDParser(graphicsDirectory: graphicsDirectory)
        let sld = try parser.parse(Array(xml.utf8))
        let style = try #require(sld.layers.first?.defaultStyle)
        let view = MapView(bbox: bbox, width: size, height: size, metresPerUnit: metresPerUnit)
        image = try #require(MapRenderer().render([RenderLayer(style: style, features: features)], view: view))
        warnings = parser.warnings
    }

    /// How far the pixel is from white: 0 (white) to 765 (black).
    func ink(_ x: Int, _ y: Int) -> Int {
        let o = (y * image.width + x) * image.channels
        return 765 - Int(image.pixels[o]) - Int(image.pixels[o + 1]) - Int(image.pixels[o + 2])
    }

    func rgb(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int) {
        let o = (y * image.width + x) * image.channels
        return (Int(image.pixels[o]), Int(image.pixels[o + 1]), Int(image.pixels[o + 2]))
    }

    /// Pixels with clear ink (more than a third of the way to black) in the rectangle (ends included).
    func inked(x: ClosedRange<Int>, y: ClosedRange<Int>) -> Int {
        var n = 0
        for yy in y { for xx in x where ink(xx, yy) > 255 { n += 1 } }
        return n
    }

    /// The rows (or columns) of a column (or row) with clear ink.
    func inkedRows(atX x: Int) -> [Int] { (0..<image.height).filter { ink(x, $0) > 255 } }
    func inkedColumns(atY y: Int) -> [Int] { (0..<image.width).filter { ink($0, y) > 255 } }
}

/// Features for the tests: a line, a polygon, a point (map coordinates).
enum TestFeatures {
    static func line(_ pts: [(Double, Double)], _ props: [String: Value] = [:]) -> RenderFeature {
        RenderFeature(id: "l", geometry: .lineString(pts.map { Coord($0.0, $0.1) }), properties: props)
    }
    static func polygon(_ pts: [(Double, Double)]) -> RenderFeature {
        RenderFeature(id: "p", geometry: .polygon([pts.map { Coord($0.0, $0.1) }]), properties: [:])
    }
    static func point(_ x: Double, _ y: Double, _ props: [String: Value] = [:]) -> RenderFeature {
        RenderFeature(id: "pt", geometry: .point(Coord(x, y)), properties: props)
    }
}
