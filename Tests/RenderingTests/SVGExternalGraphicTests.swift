import Foundation
import OGCCore
import Styling
import Testing
@testable import Rendering

/// SVG ExternalGraphics from the styles folder, drawn through librsvg with QGIS's `param(…)` colours; links
/// leaving the folder, and URLs, refused.
@Suite struct SVGExternalGraphicTests {
    /// A styles folder holding `marker.svg`: a 20 × 20 square whose fill is a QGIS parameter (default green),
    /// with a blue outline.
    static func stylesFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svg-tests-\(UUID().uuidString)/styles")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("icons"), withIntermediateDirectories: true)
        let svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20">
          <rect x="0" y="0" width="20" height="10" fill="param(fill) #00ff00" stroke="none"/>
          <rect x="0" y="10" width="20" height="10" style="fill:#0000ff;stroke:none"/>
        </svg>
        """
        try svg.write(to: dir.appendingPathComponent("icons/marker.svg"), atomically: true, encoding: .utf8)
        try svg.write(to: dir.deletingLastPathComponent().appendingPathComponent("outside.svg"), atomically: true, encoding: .utf8)
        return dir
    }

    static func point(_ href: String, size: Double = 20, format: String = "image/svg+xml") -> String {
        """
        <se:PointSymbolizer><se:Graphic><se:ExternalGraphic><se:OnlineResource xlink:type="simple" xlink:href="\(href)"/>
          <se:Format>\(format)</se:Format></se:ExternalGraphic><se:Size>\(size)</se:Size></se:Graphic></se:PointSymbolizer>
        """
    }

    @Test func drawsTheSVGWithItsDefaultColours() throws {
        let dir = try Self.stylesFolder()
        let a = try RenderedMap(Self.point("icons/marker.svg"), features: [TestFeatures.point(50, 50)], graphicsDirectory: dir.path)
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        // Centred on (50, 50): green above the middle, blue below, 20 px across, nothing around.
        let top = a.rgb(50, 45), bottom = a.rgb(50, 55)
        #expect(top.g > 200 && top.r < 50 && top.b < 50, "\(top)")
        #expect(bottom.b > 200 && bottom.r < 50 && bottom.g < 50, "\(bottom)")
        #expect(a.inkedColumns(atY: 45) == Array(40...59))
        #expect(a.inked(x: 0...99, y: 0...38) == 0)
    }

    @Test func qgisParametersSetTheColoursAndTheSizeScales() throws {
        // QGIS 3.22 writes the parametric link first, then the plain one, then a square mark as fallbacks.
        let dir = try Self.stylesFolder()
        let sym = """
        <se:PointSymbolizer><se:Graphic>
          <!--Parametric SVG--><se:ExternalGraphic><se:OnlineResource xlink:type="simple" xlink:href="\(dir.path)/icons/marker.svg?fill=%23ff0000&amp;fill-opacity=1&amp;outline=%23232323&amp;outline-opacity=1&amp;outline-width=0.5"/><se:Format>image/svg+xml</se:Format></se:ExternalGraphic>
          <!--Plain SVG fallback, no parameters--><se:ExternalGraphic><se:OnlineResource xlink:type="simple" xlink:href="\(dir.path)/icons/marker.svg"/><se:Format>image/svg+xml</se:Format></se:ExternalGraphic>
          <!--Well known marker fallback--><se:Mark><se:WellKnownName>square</se:WellKnownName></se:Mark>
          <se:Size>40</se:Size></se:Graphic></se:PointSymbolizer>
        """
        let a = try RenderedMap(sym, features: [TestFeatures.point(50, 50)], graphicsDirectory: dir.path)
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        let top = a.rgb(50, 40)
        #expect(top.r > 200 && top.g < 50 && top.b < 50, "the fill parameter, red: \(top)")
        #expect(a.inkedColumns(atY: 40) == Array(30...69), "40 px wide")
    }

    @Test func refusesWhatIsNotInTheStylesFolder() throws {
        let dir = try Self.stylesFolder()
        for href in ["../outside.svg", "icons/../../outside.svg", "http://example.com/marker.svg", "file:///etc/passwd",
                     dir.deletingLastPathComponent().path + "/outside.svg"] {
            let a = try RenderedMap(Self.point(href), features: [TestFeatures.point(50, 50)], graphicsDirectory: dir.path)
            #expect(a.warnings.contains { $0.contains("refused") }, "\(href): \(a.warnings)")
            // The default mark (a grey square) stands in for it: no green or blue.
            let c = a.rgb(50, 48)
            #expect(!(c.g > 200 && c.r < 50) && !(c.b > 200 && c.r < 50), "\(href)")
        }
        // file: inside the folder is accepted.
        let ok = try RenderedMap(Self.point("file:" + dir.path + "/icons/marker.svg"), features: [TestFeatures.point(50, 50)], graphicsDirectory: dir.path)
        #expect(ok.warnings.isEmpty, "\(ok.warnings)")
        #expect(ok.rgb(50, 45).g > 200)
    }

    @Test func parameterSubstitution() {
        let svg = ##"<path fill="param(fill) #fff" style="stroke:param(outline) #000;stroke-width:param(outline-width) 1"/>"##
        #expect(SVGGraphic.substituting(["fill": "#ff0000"], in: svg) == ##"<path fill="#ff0000" style="stroke:#000;stroke-width:1"/>"##)
    }
}
