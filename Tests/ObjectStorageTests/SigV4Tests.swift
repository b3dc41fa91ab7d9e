import Foundation
import Testing
@testable import ObjectStorage

/// Signature V4 against AWS's published S3 example ("GET Object": `GET /test.txt` with `Range: bytes=0-9`,
/// access key AKIAIOSFODNN7EXAMPLE, 2013-05-24T00:00:00Z, us-east-1).
@Suite struct SigV4Tests {
    static let signer = SigV4Signer(accessKey: "AKIAIOSFODNN7EXAMPLE",
                                    secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)

    @Test func awsGetObjectExample() {
        let h = Self.signer.sign(method: "GET", path: "/test.txt",
                                 headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")], date: Self.date)
        let d = Dictionary(uniqueKeysWithValues: h)
        #expect(d["x-amz-date"] == "20130524T000000Z")
        #expect(d["x-amz-content-sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(d["authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func headerOrderAndCaseDoNotMatter() {
        let a = Self.signer.sign(method: "GET", path: "/test.txt",
                                 headers: [("range", "bytes=0-9"), ("HOST", "examplebucket.s3.amazonaws.com")], date: Self.date)
        #expect(Dictionary(uniqueKeysWithValues: a)["authorization"]!.hasSuffix("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
    }

    @Test func anotherSecretAnotherSignature() {
        var s = Self.signer
        s.secretKey = "not-the-secret"
        let h = s.sign(method: "GET", path: "/test.txt", headers: [("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9")],
                       date: Self.date)
        #expect(!Dictionary(uniqueKeysWithValues: h)["authorization"]!.contains("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
    }

    @Test func pathsAreEncodedOnceKeepingSlashes() {
        #expect(SigV4Signer.encodePath("/pyramids/ORTHO/DATA_10_32_22") == "/pyramids/ORTHO/DATA_10_32_22")
        #expect(SigV4Signer.encodePath("/b/a b+c/é~.json") == "/b/a%20b%2Bc/%C3%A9~.json")
    }
}
