import Foundation
import OGCCore
import Testing

@Suite struct JSONEscapeTests {
    @Test(arguments: ["", "plain", "Saint-Étienne", "l'Isle-d'Abeau", "a\"b", "back\\slash", "tab\tnew\nline\rret",
                      "\u{1}\u{1f}", "日本語 🗺️", "end\""])
    func escapedStringsParseBackToTheSameString(_ s: String) throws {
        var out: [UInt8] = []
        appendJSONString(s, to: &out)
        let parsed = try JSONSerialization.jsonObject(with: Data(out), options: [.fragmentsAllowed]) as? String
        #expect(parsed == s)
        #expect(jsonEscape(s) == String(decoding: out.dropFirst().dropLast(), as: UTF8.self))
    }

    @Test func controlCharactersAreUnicodeEscapes() {
        #expect(jsonEscape("a\u{1}b\u{1f}") == "a\\u0001b\\u001f")
        #expect(jsonEscape("q\"\\") == "q\\\"\\\\")
    }
}
