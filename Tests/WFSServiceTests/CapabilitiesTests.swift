import Foundation
import OGCCore
import Testing
@testable import WFSService

@Suite struct CapabilitiesTests {
    let f = WFSFixture.shared

    @Test func wfs200ValidatesAndListsEveryRelation() async throws {
        let a = try await f.get("SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0")
        #expect(a.status == 200)
        do { let err = try xmllintErrors(a.body, schema: schemaFile("wfs/2.0/wfs.xsd")); #expect(err == nil, "\(err ?? "")") }
        for name in ["admin:regions", "admin:departements", "admin:communes", "extra:towns"] {
            #expect(a.body.contains("<wfs:Name>\(name)</wfs:Name>"))
        }
        #expect(a.body.contains("xmlns:admin=\"http://test.example/wfs/admin\""))
        #expect(a.body.contains("<wfs:DefaultCRS>urn:ogc:def:crs:EPSG::4326</wfs:DefaultCRS>"))
        #expect(a.body.contains("<wfs:OtherCRS>urn:ogc:def:crs:EPSG::3857</wfs:OtherCRS>"))
        #expect(a.body.contains("<ows:Constraint name=\"ImplementsResultPaging\"><ows:NoValues/><ows:DefaultValue>TRUE</ows:DefaultValue>"))
        #expect(a.body.contains("<ows:Constraint name=\"ImplementsTransactionalWFS\"><ows:NoValues/><ows:DefaultValue>FALSE</ows:DefaultValue>"))
        #expect(a.body.contains("<wfs:MetadataURL xlink:href=\"https://example.org/md.xml\"/>"))
        // The configured bbox of `extra`, and the table extent for `admin` (demo data is metropolitan France).
        #expect(a.body.contains("<ows:LowerCorner>2 45</ows:LowerCorner><ows:UpperCorner>5 49</ows:UpperCorner>"))
        #expect(a.body.contains("apikey=k1"))
    }

    @Test func wfs110Validates() async throws {
        let a = try await f.get("SERVICE=WFS&REQUEST=GetCapabilities&VERSION=1.1.0")
        #expect(a.status == 200)
        #expect(a.body.contains("version=\"1.1.0\""))
        do { let err = try xmllintErrors(a.body, schema: schemaFile("wfs/1.1.0/wfs.xsd")); #expect(err == nil, "\(err ?? "")") }
        #expect(a.body.contains("<wfs:DefaultSRS>urn:ogc:def:crs:EPSG::4326</wfs:DefaultSRS>"))
    }

    @Test func versionNegotiation() async throws {
        let a = try await f.get("SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=3.0.0,1.1.0")
        #expect(a.body.contains("<wfs:WFS_Capabilities version=\"1.1.0\""))
        let b = try await f.get("SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=3.0.0")
        #expect(b.status == 400)
        #expect(exception(b).code == "VersionNegotiationFailed")
        let c = try await f.get("SERVICE=WFS&REQUEST=GetCapabilities")
        #expect(c.body.contains("version=\"2.0.0\""))
    }

    @Test func postedGetCapabilities() async throws {
        let a = try await f.post("""
        <GetCapabilities xmlns="http://www.opengis.net/wfs/2.0" xmlns:ows="http://www.opengis.net/ows/1.1" service="WFS">
        <ows:AcceptVersions><ows:Version>2.0.0</ows:Version></ows:AcceptVersions></GetCapabilities>
        """)
        #expect(a.status == 200)
        #expect(a.body.contains("<wfs:Name>admin:communes</wfs:Name>"))
    }
}
