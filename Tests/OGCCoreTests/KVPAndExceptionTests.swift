import OGCCore
import Testing

@Suite struct KVPAndExceptionTests {
    @Test func kvpIsCaseInsensitiveAndDecodes() throws {
        let k = try KVP(query: "service=WFS&Request=GetFeature&typeNames=a%3Ab&FILTER=%3Cx%2F%3E&sortBy=nom+A")
        #expect(k["SERVICE"] == "WFS")
        #expect(k["request"] == "GetFeature")
        #expect(k["TYPENAMES"] == "a:b")
        #expect(k["filter"] == "<x/>")
        #expect(k["SORTBY"] == "nom A")
    }

    /// OWSLib appends `?service=…` to a URL that already has a query (`/wfs?apikey=K&?service=WFS&…`).
    @Test func aQuestionMarkBeforeANameIsNotPartOfIt() throws {
        let k = try KVP(query: "apikey=K&?service=WFS&version=2.0.0")
        #expect(k["SERVICE"] == "WFS")
        #expect(k["APIKEY"] == "K")
        #expect(k["?SERVICE"] == nil)
    }

    @Test func kvpRefusesBadEscapes() {
        #expect(throws: OGCError.self) { try KVP(query: "a=%ZZ") }
        #expect(throws: OGCError.self) { try KVP(query: "a=%C3%28") }
    }

    @Test func ows11ReportCarriesCodeAndLocator() {
        let e = OGCError.invalid("typeNames", "Unknown feature type <x>")
        let s = e.report(.ows110(serviceVersion: "2.0.0"))
        #expect(s.contains("xmlns:ows=\"http://www.opengis.net/ows/1.1\""))
        #expect(s.contains("exceptionCode=\"InvalidParameterValue\""))
        #expect(s.contains("locator=\"typeNames\""))
        #expect(s.contains("&lt;x&gt;"))
        #expect(e.status == 400)
        let s10 = e.report(.ows100(serviceVersion: "1.1.0"))
        #expect(s10.contains("xmlns:ows=\"http://www.opengis.net/ows\""))
    }
}
