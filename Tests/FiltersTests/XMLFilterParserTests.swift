import Filters
import Geo
import OGCCore
import Testing

@Suite struct XMLFilterParserTests {
    let fes = "xmlns:fes=\"http://www.opengis.net/fes/2.0\" xmlns:gml=\"http://www.opengis.net/gml/3.2\""

    @Test func fesComparisonsAndLogic() throws {
        let xml = """
        <fes:Filter \(fes)><fes:And>
          <fes:PropertyIsEqualTo matchCase="false"><fes:ValueReference>ns:nom</fes:ValueReference><fes:Literal>Paris</fes:Literal></fes:PropertyIsEqualTo>
          <fes:Or>
            <fes:PropertyIsLessThan><fes:ValueReference>code</fes:ValueReference><fes:Literal>80</fes:Literal></fes:PropertyIsLessThan>
            <fes:Not><fes:PropertyIsNull><fes:ValueReference>departement</fes:ValueReference></fes:PropertyIsNull></fes:Not>
          </fes:Or>
          <fes:PropertyIsBetween><fes:ValueReference>code</fes:ValueReference>
            <fes:LowerBoundary><fes:Literal>10</fes:Literal></fes:LowerBoundary>
            <fes:UpperBoundary><fes:Literal>20</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween>
          <fes:PropertyIsLike wildCard="*" singleChar="." escapeChar="\\"><fes:ValueReference>nom</fes:ValueReference><fes:Literal>Saint*</fes:Literal></fes:PropertyIsLike>
        </fes:And></fes:Filter>
        """
        let f = try FilterParser.parse(xml: xml)
        guard case .and(let parts) = f else { Issue.record("not an And: \(f)"); return }
        #expect(parts.count == 4)
        #expect(parts[0] == .comparison(.equal, .property("nom"), .literal(.string("Paris")), matchCase: false))
        #expect(parts[3] == .like(.property("nom"), pattern: "Saint*", wildCard: "*", singleChar: ".", escape: "\\", matchCase: true))
        #expect(f.propertyNames == ["nom", "code", "departement"])
        #expect(f.depth == 4)   // And → Or → Not → PropertyIsNull
    }

    @Test func resourceIdsAndFeatureIds() throws {
        let f = try FilterParser.parse(xml: "<fes:Filter \(fes)><fes:ResourceId rid=\"communes.1\"/><fes:ResourceId rid=\"communes.2\"/></fes:Filter>")
        #expect(f == .resourceIds(["communes.1", "communes.2"]))
        let g = try FilterParser.parse(xml: "<ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\"><ogc:FeatureId fid=\"r.3\"/></ogc:Filter>")
        #expect(g == .resourceIds(["r.3"]))
    }

    @Test(arguments: [
        ("urn:ogc:def:crs:EPSG::4326", true),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", true),
        ("EPSG:4326", false),
        ("http://www.opengis.net/gml/srs/epsg.xml#4326", false),
    ])
    func bboxAxisOrderFollowsSrsNameSpelling(srs: String, latFirst: Bool) throws {
        // Paris: lon 2.35, lat 48.85, written in the order the spelling implies.
        let (a, b) = latFirst ? ("48.8 2.3", "48.9 2.4") : ("2.3 48.8", "2.4 48.9")
        let xml = """
        <fes:Filter \(fes)><fes:BBOX><fes:ValueReference>geom</fes:ValueReference>
        <gml:Envelope srsName="\(srs)"><gml:lowerCorner>\(a)</gml:lowerCorner><gml:upperCorner>\(b)</gml:upperCorner></gml:Envelope>
        </fes:BBOX></fes:Filter>
        """
        let f = try FilterParser.parse(xml: xml)
        #expect(f == .bbox(property: "geom", BBox(minX: 2.3, minY: 48.8, maxX: 2.4, maxY: 48.9), srid: 4326))
    }

    @Test func projectedCRSIsNotSwapped() throws {
        let xml = """
        <fes:Filter \(fes)><fes:Intersects><fes:ValueReference>geom</fes:ValueReference>
        <gml:Point srsName="urn:ogc:def:crs:EPSG::2154"><gml:pos>652469 6862035</gml:pos></gml:Point></fes:Intersects></fes:Filter>
        """
        #expect(try FilterParser.parse(xml: xml) == .spatial(.intersects, property: "geom", geometry: .point(Coord(652469, 6862035)), srid: 2154))
    }

    @Test func gml32PolygonAndMultiSurface() throws {
        let xml = """
        <fes:Filter \(fes)><fes:Within><fes:ValueReference>geom</fes:ValueReference>
        <gml:MultiSurface srsName="urn:ogc:def:crs:EPSG::4326"><gml:surfaceMember><gml:Polygon>
          <gml:exterior><gml:LinearRing><gml:posList>48 2 48 3 49 3 49 2 48 2</gml:posList></gml:LinearRing></gml:exterior>
        </gml:Polygon></gml:surfaceMember></gml:MultiSurface></fes:Within></fes:Filter>
        """
        let f = try FilterParser.parse(xml: xml)
        let ring = [Coord(2, 48), Coord(3, 48), Coord(3, 49), Coord(2, 49), Coord(2, 48)]
        #expect(f == .spatial(.within, property: "geom", geometry: .multiPolygon([[ring]]), srid: 4326))
    }

    @Test func filter11WithGML2CoordinatesAndDWithin() throws {
        let xml = """
        <ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><ogc:DWithin>
          <ogc:PropertyName>geom</ogc:PropertyName>
          <gml:Point srsName="EPSG:4326"><gml:coordinates>2.35,48.85</gml:coordinates></gml:Point>
          <ogc:Distance units="m">1000</ogc:Distance></ogc:DWithin></ogc:Filter>
        """
        #expect(try FilterParser.parse(xml: xml) == .distance(.dWithin, property: "geom", geometry: .point(Coord(2.35, 48.85)),
                                                             srid: 4326, distance: 1000, units: "m"))
    }

    @Test func malformedAndUnknownAreInvalidParameterValue() {
        for bad in ["<fes:Filter \(fes)><fes:And>", "<fes:Filter \(fes)><fes:PropertyIsFoo/></fes:Filter>",
                    "<fes:Filter \(fes)><fes:PropertyIsEqualTo><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>",
                    "nom = 'x'; DROP TABLE communes"] {
            do {
                _ = try FilterParser.parse(xml: bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.code == .invalidParameterValue)
                #expect(error.locator == "FILTER")
            }
        }
    }

    @Test func limitsAreEnforced() {
        var xml = "<fes:Filter \(fes)>"
        for _ in 0..<40 { xml += "<fes:Not>" }
        xml += "<fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull>"
        for _ in 0..<40 { xml += "</fes:Not>" }
        xml += "</fes:Filter>"
        #expect(throws: OGCError.self) { try FilterParser.parse(xml: xml, limits: FilterLimits(maxDepth: 32)) }
        #expect(throws: OGCError.self) { try FilterParser.parse(xml: xml, limits: FilterLimits(maxBytes: 100)) }
    }

    @Test func operatorCountIsLimited() {
        let eq = "<fes:PropertyIsEqualTo><fes:ValueReference>nom</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsEqualTo>"
        let xml = "<fes:Filter \(fes)><fes:Or>" + String(repeating: eq, count: 600) + "</fes:Or></fes:Filter>"
        #expect(throws: OGCError.self) { try FilterParser.parse(xml: xml, limits: FilterLimits(maxBytes: 1 << 20)) }
        #expect(throws: Never.self) { try FilterParser.parse(xml: xml, limits: FilterLimits(maxBytes: 1 << 20, maxOperators: 1000)) }
        let cql = (0..<600).map { "a = \($0)" }.joined(separator: " OR ")
        #expect(throws: OGCError.self) { try CQLParser.parse(cql) }
        let inList = "a IN (" + (0..<600).map(String.init).joined(separator: ",") + ")"
        #expect(throws: OGCError.self) { try CQLParser.parse(inList) }
    }

    @Test func literalsTakeColumnTypes() throws {
        let f = Filter.comparison(.equal, .property("pop"), .literal(.string(" 12 ")), matchCase: true)
        #expect(try f.coercingLiterals(to: ["pop": .integer]) == .comparison(.equal, .property("pop"), .literal(.int(12)), matchCase: true))
        #expect(throws: OGCError.self) {
            try Filter.comparison(.equal, .property("pop"), .literal(.string("1; DROP")), matchCase: true).coercingLiterals(to: ["pop": .integer])
        }
    }
}
