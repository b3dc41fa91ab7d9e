import Foundation
import OGCCore
import SafeXML
import Testing

@Suite struct SafeXMLTests {
    @Test func parsesNamespacesAttributesAndText() throws {
        let xml = """
        <wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:a="urn:a" service="WFS" a:x="1">
          <wfs:Query typeNames="a:regions"><![CDATA[x<y]]>t</wfs:Query>
        </wfs:GetFeature>
        """
        let root = try SafeXML.parse(Array(xml.utf8))
        #expect(root.name == "GetFeature")
        #expect(root.namespace == "http://www.opengis.net/wfs/2.0")
        #expect(root.attribute("service") == "WFS")
        #expect(root.attribute("x", namespace: "urn:a") == "1")
        let q = try #require(root.child("Query"))
        #expect(q.text == "x<yt")
        #expect(q.resolve(qname: "a:regions").namespace == "urn:a")
        #expect(q.resolve(qname: "a:regions").local == "regions")
    }

    @Test func externalEntityIsNeverExpanded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("safexml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = dir.appendingPathComponent("secret.txt")
        try "TOPSECRET-42".write(to: secret, atomically: true, encoding: .utf8)
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file://\(secret.path)\">]><r>a&x;b</r>"
        do {
            let root = try SafeXML.parse(Array(xml.utf8))
            Issue.record("a DOCTYPE was accepted: \(root.text)")
            #expect(!root.text.contains("TOPSECRET"))
        } catch {
            #expect(error.code == .operationParsingFailed)
            #expect(!error.message.contains("TOPSECRET"))
        }
    }

    @Test func billionLaughsIsRefusedFast() {
        var xml = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        xml += "<!ENTITY lol1 \"" + String(repeating: "&lol;", count: 10) + "\">"
        for i in 2...9 { xml += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">" }
        xml += "]><lolz>&lol9;</lolz>"
        let start = ContinuousClock.now
        #expect(throws: OGCError.self) { try SafeXML.parse(Array(xml.utf8)) }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func deepNestingIsRefused() {
        let xml = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: OGCError.self) { try SafeXML.parse(Array(xml.utf8)) }
        #expect(throws: Never.self) { try SafeXML.parse(Array(xml.utf8), maxDepth: 100) }
        let deep = String(repeating: "<a>", count: 20) + String(repeating: "</a>", count: 20)
        #expect(throws: OGCError.self) { try SafeXML.parse(Array(deep.utf8), maxDepth: 10) }
    }

    @Test func invalidUTF8IsRefused() {
        var bytes = Array("<r>caf".utf8)
        bytes += [0xC3, 0x28]   // invalid continuation byte
        bytes += Array("</r>".utf8)
        #expect(throws: OGCError.self) { try SafeXML.parse(bytes) }
    }

    @Test func malformedAndOversizedAreRefused() {
        #expect(throws: OGCError.self) { try SafeXML.parse(Array("<a><b></a>".utf8)) }
        #expect(throws: OGCError.self) { try SafeXML.parse([]) }
        let big = "<a>" + String(repeating: "x", count: 2000) + "</a>"
        #expect(throws: OGCError.self) { try SafeXML.parse(Array(big.utf8), maxBytes: 1000) }
        do {
            _ = try SafeXML.parse(Array("<a>".utf8), locator: "FILTER")
        } catch {
            #expect(error.code == .operationParsingFailed)
            #expect(error.locator == "FILTER")
        }
    }

    @Test func parallelParsesAreIndependent() async throws {
        try await withThrowingTaskGroup(of: String.self) { g in
            for i in 0..<16 {
                g.addTask { try SafeXML.parse(Array("<r n=\"\(i)\">v\(i)</r>".utf8)).text }
            }
            var seen = Set<String>()
            for try await t in g { seen.insert(t) }
            #expect(seen.count == 16)
        }
    }
}
