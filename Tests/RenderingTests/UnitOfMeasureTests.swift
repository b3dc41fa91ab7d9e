import Geo
import OGCCore
import Rendering
import Styling
import Testing

/// SE `uom`: sizes in metres or feet follow the map's scale; pixels do not.
@Suite struct UnitOfMeasureTests {
    static func line(uom: String, width: Double) -> String {
        """
        <se:LineSymbolizer uom="http://www.opengeospatial.org/se/units/\(uom)"><se:Stroke>
          <se:SvgParameter name="stroke">#000000</se:SvgParameter><se:SvgParameter name="stroke-width">\(width)</se:SvgParameter>
        </se:Stroke></se:LineSymbolizer>
        """
    }
    /// A horizontal line across the middle of the view.
    static func across(_ box: BBox) -> RenderFeature {
        let y = (box.minY + box.maxY) / 2
        return TestFeatures.line([(box.minX, y), (box.maxX, y)])
    }

    @Test func metreWidthsGrowAndShrinkWithTheScale() throws {
        // 100 px over 1000 m: 10 m per pixel, so 80 m are 8 pixels; over 2000 m, 4 pixels.
        let near = BBox(minX: 0, minY: 0, maxX: 1000, maxY: 1000), far = BBox(minX: 0, minY: 0, maxX: 2000, maxY: 2000)
        let a = try RenderedMap(Self.line(uom: "metre", width: 80), features: [Self.across(near)], bbox: near)
        let b = try RenderedMap(Self.line(uom: "metre", width: 80), features: [Self.across(far)], bbox: far)
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        #expect(a.inkedRows(atX: 50) == Array(46...53))
        #expect(b.inkedRows(atX: 50) == Array(48...51))
        // Pixels stay pixels whatever the scale.
        let c = try RenderedMap(Self.line(uom: "pixel", width: 8), features: [Self.across(far)], bbox: far)
        #expect(c.inkedRows(atX: 50) == Array(46...53))
    }

    @Test func feetAreAThirdOfAMetre() throws {
        // 1 m per pixel: 19.685 ft = 6 m = 6 px.
        let a = try RenderedMap(Self.line(uom: "foot", width: 19.685), features: [Self.across(BBox(minX: 0, minY: 0, maxX: 100, maxY: 100))])
        #expect(a.inkedRows(atX: 50) == Array(47...52))
    }

    @Test func degreesAreMetresAlongTheCentreParallel() throws {
        // At 60° N a degree of longitude is half a degree of the equator: 100 px over 0.01° is
        // 111319.49 * 0.01 * 0.5 / 100 = 5.566 m per pixel, so 33.4 m are 6 pixels.
        let box = BBox(minX: 5, minY: 59.995, maxX: 5.01, maxY: 60.005)
        let a = try RenderedMap(Self.line(uom: "metre", width: 33.4), features: [Self.across(box)], bbox: box,
                                metresPerUnit: 6378137.0 * 2 * Double.pi / 360)
        #expect(a.inkedRows(atX: 50) == Array(47...52))
    }

    @Test func pointSizesAndOffsetsInMetres() throws {
        // 10 m per pixel: a 100 m square displaced 200 m east is 10 px wide, centred 20 px right of the point.
        let box = BBox(minX: 0, minY: 0, maxX: 1000, maxY: 1000)
        let a = try RenderedMap("""
            <se:PointSymbolizer uom="http://www.opengeospatial.org/se/units/metre"><se:Graphic><se:Mark><se:WellKnownName>square</se:WellKnownName>
              <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill></se:Mark><se:Size>100</se:Size>
              <se:Displacement><se:DisplacementX>200</se:DisplacementX><se:DisplacementY>0</se:DisplacementY></se:Displacement></se:Graphic></se:PointSymbolizer>
            """, features: [TestFeatures.point(500, 500)], bbox: box)
        #expect(a.inkedColumns(atY: 50) == Array(65...74))
    }

    @Test func unknownUnitsAreReported() throws {
        let a = try RenderedMap(Self.line(uom: "furlong", width: 2), features: [])
        #expect(a.warnings.contains { $0.contains("furlong") })
    }
}
