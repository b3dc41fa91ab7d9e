import Filters
import OGCCore
import Rendering
import Styling
import Testing

/// Graphic Opacity, Displacement, AnchorPoint and Rotation (literal, or read from the feature).
@Suite struct GraphicPlacementTests {
    static func point(mark: String = "square", size: Double = 10, extra: String = "") -> String {
        """
        <se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>\(mark)</se:WellKnownName>
          <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill>
          <se:Stroke><se:SvgParameter name="stroke">#000000</se:SvgParameter><se:SvgParameter name="stroke-width">2</se:SvgParameter></se:Stroke>
        </se:Mark><se:Size>\(size)</se:Size>\(extra)</se:Graphic></se:PointSymbolizer>
        """
    }

    @Test func opacityLightensTheMark() throws {
        let full = try RenderedMap(Self.point(), features: [TestFeatures.point(50, 50)])
        let half = try RenderedMap(Self.point(extra: "<se:Opacity>0.5</se:Opacity>"), features: [TestFeatures.point(50, 50)])
        #expect(half.warnings.isEmpty, "\(half.warnings)")
        #expect(full.rgb(50, 50).r < 5)
        #expect(abs(half.rgb(50, 50).r - 128) <= 3, "black at 50 % over white: \(half.rgb(50, 50))")
    }

    @Test func displacementMovesRightAndUp() throws {
        // 20 px right and 10 up (SE's y axis points up): the 10 px square is centred on pixel (70, 40).
        let a = try RenderedMap(Self.point(extra: "<se:Displacement><se:DisplacementX>20</se:DisplacementX><se:DisplacementY>10</se:DisplacementY></se:Displacement>"),
                                features: [TestFeatures.point(50, 50)])
        #expect(a.ink(70, 40) > 600)
        #expect(a.inked(x: 40...60, y: 40...60) == 0)
        #expect(a.inkedColumns(atY: 40).min() == 64 && a.inkedColumns(atY: 40).max() == 75)
    }

    @Test func anchorPointPutsThatPointOfTheGraphicOnTheFeature() throws {
        // Anchor (0, 0) is the graphic's lower left corner: the square lies up and right of the point.
        let a = try RenderedMap(Self.point(extra: "<se:AnchorPoint><se:AnchorPointX>0</se:AnchorPointX><se:AnchorPointY>0</se:AnchorPointY></se:AnchorPoint>"),
                                features: [TestFeatures.point(50, 50)])
        #expect(a.ink(55, 45) > 600)
        #expect(a.inked(x: 30...47, y: 30...70) == 0 && a.inked(x: 30...70, y: 53...70) == 0)
    }

    @Test func rotationFromAnAttributeTurnsEachFeature() throws {
        // A vertical bar (shape://vertline, 20 px): upright at 0°, lying at 90°; the literal is the fallback.
        let sym = """
        <se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>shape://vertline</se:WellKnownName>
          <se:Stroke><se:SvgParameter name="stroke">#000000</se:SvgParameter><se:SvgParameter name="stroke-width">3</se:SvgParameter></se:Stroke>
        </se:Mark><se:Size>20</se:Size><se:Rotation><ogc:PropertyName>angle</ogc:PropertyName></se:Rotation></se:Graphic></se:PointSymbolizer>
        """
        let a = try RenderedMap(sym, features: [TestFeatures.point(25, 50, ["angle": .double(0)]),
                                                TestFeatures.point(75, 50, ["angle": .int(90)])])
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        #expect(a.ink(25, 42) > 600 && a.ink(25, 58) > 600 && a.ink(33, 50) < 100)
        #expect(a.ink(67, 50) > 600 && a.ink(83, 50) > 600 && a.ink(75, 42) < 100)
        // The style asks for the attribute, so maps fetch it.
        var p = SLDParser()
        let sld = try p.parse(Array("""
            <StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">
            <NamedLayer><se:Name>t</se:Name><UserStyle><se:FeatureTypeStyle><se:Rule>\(sym)</se:Rule></se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
            """.utf8))
        #expect(sld.layers[0].defaultStyle?.properties == ["angle"])
    }

    @Test func literalRotation() throws {
        let a = try RenderedMap(Self.point(mark: "shape://vertline", size: 20, extra: "<se:Rotation><ogc:Literal>90</ogc:Literal></se:Rotation>"),
                                features: [TestFeatures.point(50, 50)])
        #expect(a.ink(42, 50) > 600 && a.ink(50, 42) < 100)
    }
}
