import Foundation
import Testing

@Suite struct ExceptionTests {
    static let map13 = "SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=france_admin&STYLES=&FORMAT=image/png&CRS=EPSG:4326&BBOX=48.8,2.2,48.9,2.5&WIDTH=100&HEIGHT=100"
    static let map11 = "SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=france_admin&STYLES=&FORMAT=image/png&SRS=EPSG:4326&BBOX=2.2,48.8,2.5,48.9&WIDTH=100&HEIGHT=100"

    func code(_ env: WMSTestSetup.Env, _ q: String) async throws -> String? {
        let a = try await WMSTestSetup.call(env, q)
        guard let r = a.text.range(of: "code=\"") else { return nil }
        return String(a.text[r.upperBound...].prefix { $0 != "\"" })
    }

    func replacing(_ q: String, _ name: String, _ value: String?) -> String {
        var parts = q.split(separator: "&").filter { !$0.uppercased().hasPrefix(name.uppercased() + "=") }.map(String.init)
        if let v = value { parts.append("\(name)=\(v)") }
        return parts.joined(separator: "&")
    }

    @Test func codesOfBadGetMaps() async throws {
        let env = try await WMSTestSetup.env()
        #expect(try await code(env, replacing(Self.map13, "CRS", "EPSG:99999")) == "InvalidCRS")
        #expect(try await code(env, replacing(Self.map11, "SRS", "EPSG:99999")) == "InvalidSRS")
        #expect(try await code(env, replacing(Self.map13, "LAYERS", "nope")) == "LayerNotDefined")
        #expect(try await code(env, replacing(Self.map13, "STYLES", "nope")) == "StyleNotDefined")
        #expect(try await code(env, replacing(Self.map13, "FORMAT", "image/gif")) == "InvalidFormat")
        #expect(try await code(env, replacing(Self.map13, "BBOX", nil)) == "MissingParameterValue")
        #expect(try await code(env, replacing(Self.map13, "LAYERS", nil)) == "MissingParameterValue")
        #expect(try await code(env, replacing(Self.map13, "BBOX", "1,2,3")) == "InvalidParameterValue")
        #expect(try await code(env, replacing(Self.map13, "SLD", "http://example.org/x.sld")) == "InvalidParameterValue")
        #expect(try await code(env, replacing(Self.map13, "SLD_BODY", "%3Cnot-xml")) == "InvalidParameterValue")
        #expect(try await code(env, "SERVICE=WMS&VERSION=1.3.0&REQUEST=DoSomething") == "OperationNotSupported")
        // VERSION is mandatory in GetMap (WMS 1.3.0 §6.9.2): no map without it.
        let noVersion = try await WMSTestSetup.call(env, replacing(Self.map13, "VERSION", nil))
        #expect(noVersion.text.contains("MissingParameterValue") && noVersion.text.contains("locator=\"VERSION\""))
    }

    /// WMS 1.3.0 §7.2.3.5: the current update sequence is CurrentUpdateSequence, a newer one InvalidUpdateSequence,
    /// an older one the document.
    @Test func updateSequenceOfGetCapabilities() async throws {
        let env = try await WMSTestSetup.env()
        let caps = try await WMSTestSetup.call(env, "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        let r = try #require(caps.text.range(of: "updateSequence=\""))
        let current = try #require(Int(caps.text[r.upperBound...].prefix { $0 != "\"" }))
        let base = "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0&UPDATESEQUENCE="
        #expect(try await code(env, base + "\(current)") == "CurrentUpdateSequence")
        #expect(try await code(env, base + "\(current + 1)") == "InvalidUpdateSequence")
        let older = try await WMSTestSetup.call(env, base + "\(current - 1)")
        #expect(older.status == 200 && older.text.contains("<WMS_Capabilities"))
    }

    @Test func hugeSizeIsRefusedAtOnce() async throws {
        let env = try await WMSTestSetup.env()
        let start = Date()
        let a = try await WMSTestSetup.call(env, replacing(Self.map13, "WIDTH", "100000"))
        #expect(a.status == 400 && a.text.contains("InvalidParameterValue") && a.text.contains("locator=\"WIDTH\""))
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test func versionDecidesTheReportFlavour() async throws {
        let env = try await WMSTestSetup.env()
        let a = try await WMSTestSetup.call(env, replacing(Self.map11, "LAYERS", "nope"))
        #expect(a.contentType == "application/vnd.ogc.se_xml" && a.text.contains("version=\"1.1.1\""))
        let b = try await WMSTestSetup.call(env, replacing(Self.map13, "LAYERS", "nope"))
        #expect(b.contentType == "text/xml" && b.text.contains("http://www.opengis.net/ogc"))
    }

    @Test func inImageAndBlank() async throws {
        let env = try await WMSTestSetup.env()
        let bad = replacing(Self.map13, "LAYERS", "nope")
        let inimage = try await WMSTestSetup.image(env, bad + "&EXCEPTIONS=INIMAGE")
        #expect(inimage.width == 100 && inimage.height == 100)
        #expect(holds(inimage.pixels.enumerated().contains { $0.offset % 4 == 0 && $0.element > 150 && inimage.pixels[$0.offset + 1] < 60 }))
        let blank = try await WMSTestSetup.image(env, replacing(Self.map11, "LAYERS", "nope") + "&EXCEPTIONS=application/vnd.ogc.se_blank&TRANSPARENT=TRUE")
        #expect(holds(blank.pixels.enumerated().allSatisfy { $0.offset % 4 != 3 || $0.element == 0 }))
    }

    @Test func featureInfoPointOutsideTheMap() async throws {
        let env = try await WMSTestSetup.env()
        let q = Self.map13.replacingOccurrences(of: "REQUEST=GetMap", with: "REQUEST=GetFeatureInfo") + "&QUERY_LAYERS=france_admin&INFO_FORMAT=text/plain"
        #expect(try await code(env, q + "&I=100&J=5") == "InvalidPoint")
        #expect(try await code(env, q + "&I=-1&J=5") == "InvalidPoint")
        #expect(try await code(env, q + "&I=5") == "MissingParameterValue")
    }
}
