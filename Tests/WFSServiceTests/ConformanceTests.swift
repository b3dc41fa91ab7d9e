import Foundation
import Testing
@testable import WFSService

/// What CITE's WFS 2.0 suite and harvesters check beyond the happy path (issue 19).
@Suite struct ConformanceTests {
    let f = WFSFixture.shared

    @Test func wfs110HitsCountsTheMatchingFeatures() async throws {
        let a = try await f.get("SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=admin:regions&RESULTTYPE=hits")
        #expect(a.status == 200)
        #expect(a.body.contains("numberOfFeatures=\"13\""), "\(a.body.prefix(600))")
        #expect(!a.body.contains("featureMember"))
        let results = try await f.get("SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=admin:regions&MAXFEATURES=2")
        #expect(results.body.contains("numberOfFeatures=\"2\""))
    }

    @Test func getPropertyValueOfGmlIdListsTheIdentifiers() async throws {
        let a = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetPropertyValue&TYPENAMES=admin:regions&VALUEREFERENCE=@gml:id&SORTBY=nom")
        #expect(a.status == 200, "\(a.body.prefix(400))")
        let ids = a.body.components(separatedBy: "<wfs:member>").dropFirst().map { $0.components(separatedBy: "<").first ?? "" }
        #expect(ids.count == 13)
        #expect(ids.allSatisfy { $0.hasPrefix("regions.") })
        do { let err = try xmllintErrors(a.body, schema: schemaFile("wfs/2.0/wfs.xsd")); #expect(err == nil, "\(err ?? "")") }
    }

    @Test func serviceIsMandatoryInKVP() async throws {
        for query in ["REQUEST=GetCapabilities", "VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:regions"] {
            let a = try await f.get(query)
            #expect(a.status == 400, "\(query)")
            #expect(a.body.contains("exceptionCode=\"MissingParameterValue\"") && a.body.contains("locator=\"service\""), "\(a.body)")
        }
    }
}
