import Foundation
import Styling
import Testing

@Suite struct SLDParserTests {
    static let styles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("styles")

    @Test func demoSLD100() throws {
        let (sld, warnings) = try SLDLoader.load(Self.styles.appendingPathComponent("departements.sld"))
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(sld.version == "1.0.0")
        let style = try #require(sld.layer(named: "departements")?.defaultStyle)
        #expect(style.isDefault && style.featureTypeStyles.count == 2)
        let rules = style.rules
        #expect(rules.map(\.name) == ["rhone", "autres", "limites", "noms"])
        #expect(rules[0].filter != nil && rules[0].minScaleDenominator == 3_000_000 && !rules[0].isElse)
        #expect(rules[1].isElse)
        guard case .polygon(let p) = rules[0].symbolizers[0] else { Issue.record("not a polygon symbolizer"); return }
        #expect(p.fill?.colour == Colour.parse("#6BAED6"))
        #expect(rules[2].symbolizers.count == 2, "two LineSymbolizers (casing)")
        guard case .line(let dashed) = rules[2].symbolizers[1] else { Issue.record("not a line"); return }
        #expect(dashed.stroke.dashArray == [6, 3] && dashed.stroke.width == 1.5)
        guard case .line(let casing) = rules[2].symbolizers[0] else { Issue.record("not a line"); return }
        #expect(casing.stroke.colour.opacity == 0.6)
        guard case .text(let t) = rules[3].symbolizers[0] else { Issue.record("not text"); return }
        #expect(t.label == [.property("nom")] && t.halo?.radius == 1 && t.font.size == 10)
        #expect(style.properties.sorted() == ["code", "nom"])
    }

    @Test func demoSE110() throws {
        let (sld, warnings) = try SLDLoader.load(Self.styles.appendingPathComponent("communes.sld"))
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(sld.version == "1.1.0")
        let style = try #require(sld.layer(named: "communes")?.defaultStyle)
        #expect(style.title == "Communes")
        let rules = style.rules
        #expect(rules.count == 4 && rules[0].title == "Paris (75)" && rules[0].maxScaleDenominator == 3_000_000)
        guard case .polygon(let p) = rules[0].symbolizers[0] else { Issue.record("not a polygon"); return }
        #expect(p.fill?.colour.hex == "#D7301F" && p.stroke?.width == 0.8)
        guard case .text(let t) = rules[3].symbolizers[0] else { Issue.record("not text"); return }
        #expect(t.font.family == "DejaVu Sans" && t.font.size == 11 && t.halo?.radius == 1.5)
        #expect(style.scaleRange.min == nil && style.scaleRange.max == 3_000_000)
    }

    @Test func marksGraphicFillAndPointPlacement() throws {
        let xml = """
        <StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink">
          <NamedLayer><se:Name>t</se:Name><UserStyle><se:FeatureTypeStyle><se:Rule>
            <se:PolygonSymbolizer><se:Fill><se:GraphicFill><se:Graphic><se:Mark><se:WellKnownName>x</se:WellKnownName>
              <se:Stroke><se:SvgParameter name="stroke">#112233</se:SvgParameter></se:Stroke></se:Mark><se:Size>8</se:Size></se:Graphic></se:GraphicFill></se:Fill></se:PolygonSymbolizer>
            <se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>star</se:WellKnownName><se:Fill><se:SvgParameter name="fill">#FF0000</se:SvgParameter></se:Fill></se:Mark>
              <se:Size>12</se:Size><se:Rotation>45</se:Rotation></se:Graphic></se:PointSymbolizer>
            <se:TextSymbolizer><se:Label>Nom : <ogc:PropertyName>nom</ogc:PropertyName></se:Label>
              <se:Font><se:SvgParameter name="font-weight">bold</se:SvgParameter><se:SvgParameter name="font-style">italic</se:SvgParameter></se:Font>
              <se:LabelPlacement><se:PointPlacement><se:AnchorPoint><se:AnchorPointX>0</se:AnchorPointX><se:AnchorPointY>1</se:AnchorPointY></se:AnchorPoint>
              <se:Displacement><se:DisplacementX>3</se:DisplacementX><se:DisplacementY>-2</se:DisplacementY></se:Displacement><se:Rotation>10</se:Rotation></se:PointPlacement></se:LabelPlacement>
            </se:TextSymbolizer>
          </se:Rule></se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
        """
        var parser = SLDParser()
        let sld = try parser.parse(Array(xml.utf8))
        let syms = try #require(sld.layers.first?.defaultStyle?.rules.first?.symbolizers)
        guard case .polygon(let p) = syms[0], case .point(let pt) = syms[1], case .text(let t) = syms[2] else {
            Issue.record("symbolizers \(syms)"); return
        }
        // A stroke-only x in a GraphicFill is QGIS's diagonal cross brush: a times hatch.
        #expect(p.fill?.graphicFill?.mark?.shape == .times && p.fill?.graphicFill?.size == 8)
        #expect(pt.graphic.mark?.shape == .star && pt.graphic.size == 12 && pt.graphic.rotation == 45)
        #expect(t.font.bold && t.font.italic)
        #expect(t.placement == .point(anchorX: 0, anchorY: 1, dx: 3, dy: -2, rotation: 10))
        // Text mixed with an expression: kept, with a warning that the order is not preserved.
        #expect(t.label.contains(.property("nom")))
        #expect(parser.warnings.contains { $0.contains("mixed") })
    }

    @Test func unsupportedThingsAreWarnedNotDropped() throws {
        let xml = """
        <StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink">
          <NamedLayer><Name>t</Name><UserStyle><FeatureTypeStyle><Rule>
            <LineSymbolizer><Stroke><GraphicFill><Graphic><Mark/></Graphic></GraphicFill>
              <CssParameter name="stroke"><ogc:Function name="env"><ogc:Literal>c</ogc:Literal></ogc:Function></CssParameter></Stroke>
              <PerpendicularOffset>3</PerpendicularOffset></LineSymbolizer>
            <RasterSymbolizer/>
            <PointSymbolizer><Graphic><ExternalGraphic><OnlineResource xlink:href="http://evil.example/x.png"/><Format>image/png</Format></ExternalGraphic></Graphic></PointSymbolizer>
            <PointSymbolizer><Graphic><Mark><WellKnownName>shape://oarrow</WellKnownName></Mark></Graphic></PointSymbolizer>
          </Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
        """
        var parser = SLDParser(graphicsDirectory: "/styles")
        _ = try parser.parse(Array(xml.utf8))
        let w = parser.warnings.joined(separator: "\n")
        #expect(w.contains("Stroke GraphicFill"))
        #expect(w.contains("Function"))
        #expect(!w.contains("PerpendicularOffset"), "drawn: no warning")
        #expect(w.contains("RasterSymbolizer"))
        #expect(w.contains("http://evil.example/x.png"))
        #expect(w.contains("shape://oarrow"))
    }

    @Test func valuesWithLineBreaksAroundThem() throws {
        // As QGIS indents them: the line breaks around a value or its ogc:Literal are not part of it.
        let xml = """
        <StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">
          <NamedLayer><se:Name>t</se:Name><UserStyle><se:FeatureTypeStyle><se:Rule>
            <se:LineSymbolizer><se:Stroke><se:GraphicStroke><se:Graphic><se:Size>9</se:Size></se:Graphic>
              <se:Gap>
                <ogc:Literal>29</ogc:Literal>
              </se:Gap></se:GraphicStroke>
              <se:SvgParameter name="stroke">
                #FF0000
              </se:SvgParameter></se:Stroke></se:LineSymbolizer>
          </se:Rule></se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>
        """
        var parser = SLDParser()
        let sld = try parser.parse(Array(xml.utf8))
        #expect(parser.warnings.isEmpty, "\(parser.warnings)")
        guard case .line(let l) = sld.layers[0].defaultStyle?.rules[0].symbolizers[0] else { Issue.record("no line"); return }
        #expect(l.stroke.graphicStroke?.gap == 29 && l.stroke.colour == Colour(r: 255, g: 0, b: 0))
    }

    @Test func badDocumentsAreRefused() {
        var p = SLDParser()
        #expect(throws: Error.self) { try p.parse(Array("<notSLD/>".utf8)) }
        #expect(throws: Error.self) { try p.parse(Array("<StyledLayerDescriptor".utf8)) }
        let doctype = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><StyledLayerDescriptor>&e;</StyledLayerDescriptor>"
        #expect(throws: Error.self) { try p.parse(Array(doctype.utf8)) }
        let badFilter = "<StyledLayerDescriptor><NamedLayer><Name>t</Name><UserStyle><FeatureTypeStyle><Rule><Filter><Bogus/></Filter></Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"
        #expect(throws: Error.self) { try p.parse(Array(badFilter.utf8)) }
    }

    @Test func defaultStylesPerGeometryType() {
        guard case .polygon = DefaultStyles.style(for: .multiPolygon).rules[0].symbolizers[0] else { Issue.record("polygon"); return }
        guard case .line = DefaultStyles.style(for: .lineString).rules[0].symbolizers[0] else { Issue.record("line"); return }
        guard case .point = DefaultStyles.style(for: .point).rules[0].symbolizers[0] else { Issue.record("point"); return }
    }
}
