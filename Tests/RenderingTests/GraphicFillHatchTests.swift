import OGCCore
import Rendering
import Styling
import Testing

/// GraphicFill with GeoServer's `shape://` hatch marks (and QGIS's bare `horline`) as a tiled pattern inside
/// the polygon only, and QGIS's point pattern spacing.
@Suite struct GraphicFillHatchTests {
    static let square = TestFeatures.polygon([(20, 20), (80, 20), (80, 80), (20, 80), (20, 20)])

    static func hatch(_ name: String, size: Double = 10, width: Double = 2, rotation: Double? = nil) -> String {
        """
        <se:PolygonSymbolizer><se:Fill><se:GraphicFill><se:Graphic><se:Mark><se:WellKnownName>\(name)</se:WellKnownName>
          <se:Stroke><se:SvgParameter name="stroke">#000000</se:SvgParameter><se:SvgParameter name="stroke-width">\(width)</se:SvgParameter></se:Stroke>
        </se:Mark><se:Size>\(size)</se:Size>\(rotation.map { "<se:Rotation><ogc:Literal>\($0)</ogc:Literal></se:Rotation>" } ?? "")</se:Graphic></se:GraphicFill></se:Fill></se:PolygonSymbolizer>
        """
    }

    @Test func horizontalLinesEveryTileInsideOnly() throws {
        for name in ["shape://horline", "horline"] {
            let a = try RenderedMap(Self.hatch(name), features: [Self.square])
            #expect(a.warnings.isEmpty, "\(a.warnings)")
            // One 2 px line per 10 px tile, through the tile's middle (rows 4–5, 14–15, …), continuous across.
            let rows = a.inkedRows(atX: 50)
            #expect(rows == [24, 25, 34, 35, 44, 45, 54, 55, 64, 65, 74, 75], "\(name): \(rows)")
            #expect(a.inkedColumns(atY: 45) == Array(20...79), "lines run on across tiles")
            #expect(a.inked(x: 0...99, y: 0...19) == 0 && a.inked(x: 0...19, y: 0...99) == 0, "nothing outside")
        }
    }

    @Test func verticalLines() throws {
        let a = try RenderedMap(Self.hatch("shape://vertline"), features: [Self.square])
        #expect(a.inkedColumns(atY: 50) == [24, 25, 34, 35, 44, 45, 54, 55, 64, 65, 74, 75])
    }

    @Test func diagonalsRunOn() throws {
        // shape://slash: lines rising to the right, one per 10 px tile. Going up-right from an inked pixel
        // stays on its line; going down-right leaves it.
        let a = try RenderedMap(Self.hatch("shape://slash", size: 10, width: 1.5), features: [Self.square])
        let cols = a.inkedColumns(atY: 50).filter { (20...79).contains($0) }
        // Six tiles across, each line crossing the row over two or three pixels.
        #expect(cols.count >= 12 && cols.count <= 20, "\(cols)")
        let x = try #require(cols.first(where: { $0 > 30 }))
        let along = (1...8).filter { a.ink(x + $0, 50 - $0) > 255 }.count
        let across = (1...8).filter { a.ink(x + $0, 50 + $0) > 255 }.count
        #expect(along >= 7, "up-right of (\(x), 50)")
        #expect(across <= 3, "down-right of (\(x), 50)")
    }

    @Test func rotationTurnsTheWholePattern() throws {
        // horline turned 90° is vertical lines (QGIS writes a line pattern's angle so).
        let a = try RenderedMap(Self.hatch("horline", rotation: 90), features: [Self.square])
        #expect(a.inkedRows(atX: 50).isEmpty || a.inkedRows(atX: 50).count == 60)
        #expect(a.inkedColumns(atY: 50).count == 12, "\(a.inkedColumns(atY: 50))")
    }

    @Test func pointPatternSpacingFromQGISDistance() throws {
        // QGIS's point pattern: a 4 px dot every 20 px across and 10 down (VendorOption distance "20,10").
        let sym = """
        <se:PolygonSymbolizer><se:Fill><se:GraphicFill><se:Graphic><se:Mark><se:WellKnownName>square</se:WellKnownName>
          <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill></se:Mark><se:Size>4</se:Size></se:Graphic></se:GraphicFill></se:Fill>
          <se:VendorOption name="distance">20,10</se:VendorOption></se:PolygonSymbolizer>
        """
        let a = try RenderedMap(sym, features: [TestFeatures.polygon([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)])])
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        // Tiles of 20 × 10 with the square in the middle: columns 8–11, 28–31, …; rows 3–6, 13–16, …
        #expect(a.inkedColumns(atY: 5) == [8, 9, 10, 11, 28, 29, 30, 31, 48, 49, 50, 51, 68, 69, 70, 71, 88, 89, 90, 91])
        #expect(a.inkedRows(atX: 10).prefix(8) == [3, 4, 5, 6, 13, 14, 15, 16])
    }

    @Test func qgisCrossBrushesAreGrids() throws {
        // QGIS's cross brush: a stroke-only `cross` mark in a GraphicFill, drawn as a grid of lines (plus hatch):
        // a horizontal and a vertical line per 10 px tile, running on across the polygon.
        let a = try RenderedMap(Self.hatch("cross"), features: [Self.square])
        #expect(a.warnings.isEmpty, "\(a.warnings)")
        #expect(a.inkedColumns(atY: 45) == Array(20...79), "horizontal lines run on")
        #expect(a.inkedRows(atX: 45) == Array(20...79), "vertical lines run on")
        #expect(a.ink(50, 50) < 100, "empty between the lines")
        // `x`: diagonals both ways.
        let x = try RenderedMap(Self.hatch("x", width: 1.5), features: [Self.square])
        #expect(x.inkedColumns(atY: 50).filter { (20...79).contains($0) }.count >= 24)
        #expect(x.ink(45, 45) > 255 && x.ink(50, 50) > 255)
    }
}
