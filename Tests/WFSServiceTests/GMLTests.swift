import Foundation
import OGCCore
import Testing
@testable import WFSService

@Suite struct GMLTests {
    let f = WFSFixture.shared

    /// Validates a FeatureCollection against the WFS schema plus the DescribeFeatureType answer.
    func validate(_ doc: String, version: String, typeNames: String) async throws -> String? {
        let dft = try await f.get("SERVICE=WFS&VERSION=\(version)&REQUEST=DescribeFeatureType&TYPENAMES=\(typeNames)")
        #expect(dft.status == 200)
        let wfs = version == "2.0.0" ? ("http://www.opengis.net/wfs/2.0", schemaFile("wfs/2.0/wfs.xsd"))
                                     : ("http://www.opengis.net/wfs", schemaFile("wfs/1.1.0/wfs.xsd"))
        let ns = typeNames.hasPrefix("extra") ? "http://test.example/wfs/extra" : "http://test.example/wfs/admin"
        let wrapper = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
          <xs:import namespace="\(wfs.0)" schemaLocation="\(wfs.1)"/>
          <xs:import namespace="\(ns)" schemaLocation="dft.xsd"/>
        </xs:schema>
        """
        return try xmllintErrors(doc, schema: "wrapper.xsd", extraFiles: ["wrapper.xsd": wrapper, "dft.xsd": dft.body])
    }

    @Test func describeFeatureTypeIsAValidSchema() async throws {
        for v in ["2.0.0", "1.1.0"] {
            let a = try await f.get("SERVICE=WFS&VERSION=\(v)&REQUEST=DescribeFeatureType&TYPENAMES=admin:communes")
            #expect(a.body.contains("<xsd:element name=\"departement\" type=\"xsd:string\""))
            #expect(a.body.contains("type=\"gml:MultiSurfacePropertyType\""))
            #expect(!a.body.contains("name=\"fid\""))
            // The schema itself must load: validate a trivial instance against it (errors other than on the
            // instance mean a broken schema).
            let err = try xmllintErrors("<x/>", schema: "s.xsd", extraFiles: ["s.xsd": a.body]) ?? ""
            #expect(!err.contains("failed to compile"), "\(v): \(err)")
        }
        let multi = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=admin:regions,extra:towns")
        #expect(multi.body.components(separatedBy: "<xsd:import").count == 3)
    }

    @Test func gml32ValidatesAgainstGeneratedSchema() async throws {
        let a = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:departements&COUNT=3&SORTBY=code")
        #expect(a.status == 200)
        #expect(a.contentType == "application/gml+xml; version=3.2")
        #expect(a.body.contains("numberMatched=\"96\" numberReturned=\"3\""))
        #expect(a.body.contains("next=\""))
        let err = try await validate(a.body, version: "2.0.0", typeNames: "admin:departements")
        #expect(err == nil, "\(err ?? "")")
    }

    @Test func gml311ValidatesAgainstGeneratedSchema() async throws {
        let a = try await f.get("SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=extra:towns&MAXFEATURES=4")
        #expect(a.status == 200)
        #expect(a.contentType == "text/xml; subtype=gml/3.1.1")
        #expect(a.body.contains("numberOfFeatures=\"4\""))
        let err = try await validate(a.body, version: "1.1.0", typeNames: "extra:towns")
        #expect(err == nil, "\(err ?? "")")
    }

    @Test func propertySubsetStillValidates() async throws {
        let a = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:communes&COUNT=2&PROPERTYNAME=nom")
        #expect(!a.body.contains("<admin:geom>"))
        #expect(try await validate(a.body, version: "2.0.0", typeNames: "admin:communes") == nil)
    }
}

/// srsName spellings × versions: BBOX in, GML out; GeoJSON always lon/lat.
@Suite struct AxisOrderTests {
    let f = WFSFixture.shared

    static let spellings: [(String, Bool)] = [
        ("EPSG:4326", false),
        ("urn:ogc:def:crs:EPSG::4326", true),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", true),
        ("http://www.opengis.net/gml/srs/epsg.xml#4326", false),
    ]

    /// The first coordinate pair of the first posList.
    func firstPair(_ body: String) -> (Double, Double)? {
        guard let r = body.range(of: "<gml:posList srsDimension=\"2\">") else { return nil }
        let nums = body[r.upperBound...].prefix(80).split(separator: " ").prefix(2).compactMap { Double($0) }
        return nums.count == 2 ? (nums[0], nums[1]) : nil
    }

    @Test(arguments: ["2.0.0", "1.1.0"], [0, 1, 2, 3])
    func bboxInAndGMLOut(version: String, spelling: Int) async throws {
        let (srs, latFirst) = Self.spellings[spelling]
        let box = latFirst ? "48.84,2.30,48.88,2.40" : "2.30,48.84,2.40,48.88"
        let tn = version == "2.0.0" ? "TYPENAMES" : "TYPENAME"
        let q = "SERVICE=WFS&VERSION=\(version)&REQUEST=GetFeature&\(tn)=admin:communes&BBOX=\(box),\(KVP.percentEncode(srs))&SRSNAME=\(KVP.percentEncode(srs))&SORTBY=nom"
        let a = try await f.get(q)
        #expect(a.status == 200, "\(a.body.prefix(400))")
        let reference = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:communes&OUTPUTFORMAT=json&CQL_FILTER=BBOX(geom,2.30,48.84,2.40,48.88)&RESULTTYPE=hits")
        let expected = try #require(reference.json?["numberMatched"] as? Int)
        #expect(expected > 0)
        let count = version == "2.0.0" ? "numberMatched=\"\(expected)\"" : "numberOfFeatures=\"\(expected)\""
        #expect(a.body.contains(count), "\(srs) \(version)")
        let (x, y) = try #require(firstPair(a.body))
        if latFirst { #expect(x > 48 && y < 3, "\(srs) \(version): \(x) \(y)") } else { #expect(x < 3 && y > 48, "\(srs) \(version): \(x) \(y)") }
        // GeoJSON ignores the spelling's axis order.
        let j = try await f.get(q + "&OUTPUTFORMAT=application/json")
        let geom = try #require(j.features.first?["geometry"] as? [String: Any])
        let c = try #require((geom["coordinates"] as? [[[[Double]]]])?.first?.first?.first)
        #expect(c[0] < 3 && c[1] > 48)
    }

    @Test func bboxWithoutCRSUsesTheDefaultCRSAxisOrder() async throws {
        let a = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:communes&BBOX=48.84,2.30,48.88,2.40&RESULTTYPE=hits")
        #expect(!a.body.contains("numberMatched=\"0\""))
    }

    @Test func projectedOutput() async throws {
        let a = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:departements&CQL_FILTER=code='75'&SRSNAME=EPSG:2154")
        let (x, y) = try #require(firstPair(a.body))
        #expect(x > 640_000 && x < 665_000 && y > 6_850_000 && y < 6_875_000, "\(x) \(y)")
        let j = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:departements&CQL_FILTER=code='75'&SRSNAME=EPSG:3857&OUTPUTFORMAT=json")
        #expect((j.json?["crs"] as? [String: Any]) != nil)
    }
}
