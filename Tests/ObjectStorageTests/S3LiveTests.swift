import Foundation
import NIOCore
import Testing
@testable import ObjectStorage

/// The client against a real S3 server: the radosgw of scripts/ceph-test-cluster.sh, whose `ROK4_S3_*`
/// variables scripts/test.sh exports. Skipped when they are not set.
@Suite(.enabled(if: LiveS3.clusters != nil, "needs ROK4_S3_URL (scripts/ceph-test-cluster.sh start)"))
struct S3LiveTests {
    @Test func putGetRangeHeadAndMissing() throws {
        let c = try LiveS3.client()
        let bucket = try LiveS3.newBucket(c)
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(try c.put(bucket: bucket, key: "dir/obj", body: bytes).status == 200)

        let r = try c.get(bucket: bucket, key: "dir/obj", range: 100..<164)
        #expect(r.status == 206)
        #expect(Array(r.body.readableBytesView) == Array(bytes[100..<164]))
        let whole = try c.get(bucket: bucket, key: "dir/obj")
        #expect(whole.status == 200 && Array(whole.body.readableBytesView) == bytes)
        let h = try c.head(bucket: bucket, key: "dir/obj")
        #expect(h.status == 200 && ObjectInfo(h)?.size == 10_000)
        #expect(ObjectInfo(h) == ObjectInfo(r), "HEAD and ranged GET give the same identity")
        // Past the end: 416, not an error.
        #expect(try c.get(bucket: bucket, key: "dir/obj", range: 20_000..<20_010).status == 416)
        #expect(try c.get(bucket: bucket, key: "nothing-here").status == 404)
        #expect(try c.head(bucket: bucket, key: "nothing-here").status == 404)
        #expect(try c.get(bucket: bucket + "-none", key: "x").status == 404)
    }

    @Test func oneKeptAliveConnectionServesSequentialRequests() throws {
        let c = try LiveS3.client()
        let bucket = try LiveS3.newBucket(c)
        _ = try c.put(bucket: bucket, key: "o", body: Array(repeating: 1, count: 100))
        for _ in 0..<50 { #expect(try c.get(bucket: bucket, key: "o", range: 0..<10).status == 206) }
        #expect(c.idleConnections == 1)
    }

    @Test func wrongCredentialsAreDenied() throws {
        var cluster = try #require(LiveS3.clusters?.clusters.first)
        cluster.secretKey = "wrong-" + cluster.secretKey
        let c = S3Client(cluster: cluster)
        do {
            _ = try c.get(bucket: "any", key: "thing")
            Issue.record("a wrong secret must be refused")
        } catch let e {
            guard case .denied(let m) = e else { Issue.record("\(e)"); return }
            #expect(m.contains("403"))
        }
    }

    @Test func aDeadEndpointIsUnavailableAfterBoundedRetries() throws {
        // A loopback port nobody listens on: refused at once, three attempts with backoff.
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET); a.sin_addr.s_addr = inet_addr("127.0.0.1"); a.sin_port = 0
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        let port = Int(UInt16(bigEndian: a.sin_port))
        close(s)
        let c = S3Client(cluster: try S3Cluster(url: "http://127.0.0.1:\(port)", accessKey: "k", secretKey: "s"),
                         timeout: .seconds(1), attempts: 3, backoff: .milliseconds(20))
        let t0 = ContinuousClock.now
        do {
            _ = try c.get(bucket: "b", key: "k")
            Issue.record("nothing listens there")
        } catch let e {
            guard case .unavailable(let m) = e else { Issue.record("\(e)"); return }
            #expect(m.contains("3 attempts"))
        }
        #expect(ContinuousClock.now - t0 < .seconds(2))
    }
}

enum LiveS3 {
    static let clusters: S3Clusters? = try? S3Clusters.fromEnvironment(ProcessInfo.processInfo.environment)

    static func client() throws -> S3Client {
        S3Client(cluster: try #require(clusters?.clusters.first))
    }

    /// A new bucket for one test.
    static func newBucket(_ c: S3Client) throws -> String {
        let name = "swift-" + UUID().uuidString.lowercased().prefix(13).replacingOccurrences(of: "-", with: "")
        let r = try c.put(bucket: name, key: "", body: [])
        #expect(r.status == 200, "create bucket \(name): \(r.status)")
        return name
    }
}
