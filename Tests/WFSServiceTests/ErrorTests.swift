import Foundation
import OGCCore
import Testing
@testable import WFSService

@Suite struct ErrorTests {
    let f = WFSFixture.shared
    let gf = "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature"

    @Test(arguments: [
        ("&TYPENAMES=admin:nope", "InvalidParameterValue", "typeNames"),
        ("&TYPENAMES=admin:communes&PROPERTYNAME=nom,secret", "InvalidParameterValue", "propertyName"),
        ("&TYPENAMES=admin:communes&PROPERTYNAME=nom;DROP TABLE communes", "InvalidParameterValue", "propertyName"),
        ("&TYPENAMES=admin:communes&SORTBY=nom;DROP TABLE communes", "InvalidParameterValue", "sortBy"),
        ("&TYPENAMES=admin:communes&SORTBY=nom UP", "InvalidParameterValue", "sortBy"),
        ("&TYPENAMES=admin:communes&SORTBY=geom", "InvalidParameterValue", "sortBy"),
        ("&TYPENAMES=admin:communes&SORTBY=fid", "InvalidParameterValue", "sortBy"),
        ("&TYPENAMES=admin:communes&CQL_FILTER=nom='a' OR 1=1; DROP TABLE communes", "InvalidParameterValue", "CQL_FILTER"),
        ("&TYPENAMES=admin:communes&CQL_FILTER=secret='x'", "InvalidParameterValue", "CQL_FILTER"),
        ("&TYPENAMES=admin:communes&CQL_FILTER=\"nom\\\"; DROP TABLE communes; --\"='x'", "InvalidParameterValue", "CQL_FILTER"),
        ("&TYPENAMES=admin:communes&FILTER=<fes:Filter", "InvalidParameterValue", "FILTER"),
        ("&TYPENAMES=admin:communes&FILTER=<Filter><PropertyIsEqualTo><ValueReference>nom) OR 1=1 --</ValueReference><Literal>x</Literal></PropertyIsEqualTo></Filter>", "InvalidParameterValue", "FILTER"),
        ("&TYPENAMES=admin:communes&BBOX=1,2,3", "InvalidParameterValue", "BBOX"),
        ("&TYPENAMES=admin:communes&BBOX=1,2,3,4,EPSG:999999", "InvalidParameterValue", "BBOX"),
        ("&TYPENAMES=admin:communes&SRSNAME=EPSG:999999", "InvalidParameterValue", "srsName"),
        ("&TYPENAMES=admin:communes&OUTPUTFORMAT=image/png", "InvalidParameterValue", "outputFormat"),
        ("&TYPENAMES=admin:communes&COUNT=-1", "InvalidParameterValue", "COUNT"),
        ("&TYPENAMES=admin:communes&BBOX=1,2,3,4&FILTER=<Filter/>", "InvalidParameterValue", "BBOX"),
        ("", "MissingParameterValue", "typeNames"),
    ])
    func badRequests(query: String, code: String, locator: String) async throws {
        let a = try await f.get(gf + query)
        #expect(a.status == 400, "\(query): \(a.body.prefix(300))")
        let e = exception(a)
        #expect(e.code == code, "\(query)")
        #expect(e.locator?.lowercased() == locator.lowercased(), "\(query): \(e.locator ?? "nil")")
        #expect(a.body.contains("http://www.opengis.net/ows/1.1"))
    }

    @Test func wfs110ErrorsAreOWS10() async throws {
        let a = try await f.get("SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=admin:nope")
        #expect(a.status == 400)
        #expect(a.body.contains("xmlns:ows=\"http://www.opengis.net/ows\""))
        #expect(exception(a).locator == "typeName")
    }

    @Test func malformedPostIsOperationParsingFailed() async throws {
        let a = try await f.post("<wfs:GetFeature xmlns:wfs=\"http://www.opengis.net/wfs/2.0\" version=\"2.0.0\"><wfs:Query")
        #expect(a.status == 400)
        #expect(exception(a).code == "OperationParsingFailed")
        let xxe = try await f.post("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><wfs:GetFeature xmlns:wfs=\"http://www.opengis.net/wfs/2.0\">&x;</wfs:GetFeature>")
        #expect(exception(xxe).code == "OperationParsingFailed")
        #expect(!xxe.body.contains("root:"))
    }

    @Test func unknownOperationAndVersion() async throws {
        #expect(exception(try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=Transaction")).code == "OperationNotSupported")
        #expect(exception(try await f.get("SERVICE=WFS&VERSION=3.0.0&REQUEST=GetFeature&TYPENAMES=admin:communes")).locator == "version")
        #expect(exception(try await f.get("SERVICE=WMS&REQUEST=GetCapabilities")).locator == "service")
    }

    @Test func injectionStringsAsValuesAreJustValues() async throws {
        let a = try await f.get(gf + "&TYPENAMES=admin:communes&OUTPUTFORMAT=json&CQL_FILTER=nom='x'' OR ''1''=''1'")
        #expect(a.status == 200)
        #expect(a.json?["numberMatched"] as? Int == 0)
    }
}
