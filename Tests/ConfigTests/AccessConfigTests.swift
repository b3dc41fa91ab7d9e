import Config
import Foundation
import Testing

@Suite struct AccessConfigTests {
    func setUp() throws -> ScratchConfig {
        let c = try ScratchConfig.minimal()
        try c.write("endpoints/private.json", #"{"name": "P", "type": "WFS", "open": false, "urls": [{"type": "WFS", "url": "/private/wfs"}]}"#)
        try c.write("offerings/secret.json", #"{"configuration": "c1", "endpoint": "private", "open": false}"#)
        try c.write("permissions/p1.json", #"{"licence": "l", "offerings": ["secret"], "end_date": "2999-01-01T00:00:00Z"}"#)
        try c.write("permissions/expired.json", #"{"licence": "l", "offerings": ["secret"], "end_date": "2001-01-01T00:00:00Z"}"#)
        try c.write("keys/k1.json", """
            {"name": "k", "type": "HASH", "type_infos": {"hash_sha256": "\(APIKey.hash("s3cret"))"},
             "accesses": [{"permission": "p1", "offerings": ["secret"]}]}
            """)
        try c.write("keys/k2.json", """
            {"name": "old", "type": "HASH", "type_infos": {"hash_sha256": "\(APIKey.hash("old"))"},
             "accesses": [{"permission": "expired", "offerings": ["secret"]}]}
            """)
        return c
    }

    @Test func keysMatchByHashAndGrantThroughPermissions() async throws {
        let c = try setUp()
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues == [])
        let k = try #require(snap.keys.match("s3cret"))
        #expect(k.id == "k1")
        #expect(snap.grantedOfferings(for: k) == ["secret"])
        #expect(snap.keys.match("S3cret") == nil)
        #expect(snap.keys.match("") == nil)
        let old = try #require(snap.keys.match("old"))
        #expect(snap.grantedOfferings(for: old).isEmpty, "an ended permission grants nothing")
    }

    @Test func clearTextKeysAreRefused() async throws {
        let c = try setUp()
        try c.write("keys/k3.json", #"{"name": "clear", "type": "HASH", "type_infos": {"hash": "masupercle"}}"#)
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.keys.match("masupercle") == nil)
        #expect(snap.issues.contains { $0.file == "keys/k3.json" && $0.path == "$.type_infos.hash" })
    }

    @Test func hashIsHexSHA256() {
        #expect(APIKey.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
