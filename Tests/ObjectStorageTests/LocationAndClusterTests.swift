import NIOCore
import Testing
@testable import ObjectStorage

/// `s3://BUCKET[@HOST]/KEY` paths and ROK4's `ROK4_S3_*` environment, as ROK4's Python library reads them.
@Suite struct LocationAndClusterTests {
    @Test func pathsAsROK4WritesThem() {
        let a = S3Location(url: "s3://pyramids/ORTHO.json")
        #expect(a == S3Location(bucket: "pyramids", host: nil, key: "ORTHO.json"))
        let b = S3Location(url: "s3://pyramids@s3.example.org:8443/deep/ORTHO.json")
        #expect(b == S3Location(bucket: "pyramids", host: "s3.example.org:8443", key: "deep/ORTHO.json"))
        #expect(b?.tray == "pyramids@s3.example.org:8443")
        #expect(b?.description == "s3://pyramids@s3.example.org:8443/deep/ORTHO.json")
        for bad in ["s3://", "s3://bucket", "s3://bucket/", "s3:///key", "s3://@host/key", "s3://bucket@/key", "/tmp/x.json", "ceph://pool/x"] {
            #expect(S3Location(url: bad) == nil, "\(bad)")
        }
        #expect(S3Location(trayAndKey: "b@h/ORTHO/DATA_10_3_4") == S3Location(bucket: "b", host: "h", key: "ORTHO/DATA_10_3_4"))
    }

    @Test func clustersFromTheEnvironment() throws {
        #expect(try S3Clusters.fromEnvironment([:]) == nil)
        let env = ["ROK4_S3_URL": "http://127.0.0.1:7480,http://s4.example.org/", "ROK4_S3_KEY": "K1,K2", "ROK4_S3_SECRETKEY": "S1,S2"]
        let c = try #require(try S3Clusters.fromEnvironment(env))
        #expect(c.clusters.map(\.host) == ["127.0.0.1:7480", "s4.example.org"])
        #expect(c.clusters[1].port == 80 && c.clusters[1].hostname == "s4.example.org")
        // No host: the first cluster; a host picks its own; an unknown one none.
        #expect(c.cluster(host: nil)?.accessKey == "K1")
        #expect(c.cluster(host: "s4.example.org")?.secretKey == "S2")
        #expect(c.cluster(host: "127.0.0.1:7480")?.accessKey == "K1")
        #expect(c.cluster(host: "elsewhere") == nil)
    }

    @Test func inconsistentEnvironmentsAreRefused() {
        func refused(_ env: [String: String]) -> Bool {
            do { _ = try S3Clusters.fromEnvironment(env); return false } catch { return true }
        }
        #expect(refused(["ROK4_S3_URL": "http://a,http://b", "ROK4_S3_KEY": "K1", "ROK4_S3_SECRETKEY": "S1,S2"]))
        #expect(refused(["ROK4_S3_URL": "http://a"]))
        #expect(refused(["ROK4_S3_URL": "http://a,http://a", "ROK4_S3_KEY": "K1,K2", "ROK4_S3_SECRETKEY": "S1,S2"]))
        #expect(refused(["ROK4_S3_URL": "https://a", "ROK4_S3_KEY": "K", "ROK4_S3_SECRETKEY": "S"]))
        #expect(refused(["ROK4_S3_URL": "http://a/path", "ROK4_S3_KEY": "K", "ROK4_S3_SECRETKEY": "S"]))
        #expect(refused(["ROK4_S3_URL": "http://a:99999", "ROK4_S3_KEY": "K", "ROK4_S3_SECRETKEY": "S"]))
    }

    @Test func identityFromHeadAndRangedGetAgree() {
        let date = "Thu, 03 Dec 2026 13:47:01 GMT"
        let head = HTTPResponse(status: 200, headers: ["content-length": "40000", "etag": "\"abc\"", "last-modified": date], body: ByteBuffer())
        let get = HTTPResponse(status: 206, headers: ["content-length": "10", "content-range": "bytes 0-9/40000", "etag": "\"abc\"",
                                                      "last-modified": date], body: ByteBuffer())
        #expect(ObjectInfo(head) == ObjectInfo(etag: "abc", size: 40000, modified: 1_796_305_621))
        #expect(ObjectInfo(head) == ObjectInfo(get))
        #expect(ObjectInfo.parseHTTPDate("yesterday") == nil)
    }

    @Test func errorCodesFromS3Bodies() {
        var b = ByteBuffer()
        b.writeString("<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><BucketName>b</BucketName></Error>")
        #expect(S3Client.errorCode(HTTPResponse(status: 403, headers: [:], body: b)) == "SignatureDoesNotMatch")
        #expect(S3Client.errorCode(HTTPResponse(status: 403, headers: [:], body: ByteBuffer())) == nil)
    }
}
