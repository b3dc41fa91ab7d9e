import Crypto
import Foundation
import NIOCore
import Synchronization

/// What an S3 request can end in besides an answer. The descriptions name the endpoint, bucket and key: they
/// are for the server's log, never for clients.
public enum S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// Connection refused or reset, timeouts, 5xx: still failing after the retries. Worth trying again later.
    case unavailable(String)
    /// 401 or 403: the credentials or the bucket policy are wrong.
    case denied(String)
    /// Any other unexpected answer (4xx but 404 and 416).
    case unexpected(String)

    public var description: String {
        switch self {
        case .unavailable(let m): "object store unavailable: \(m)"
        case .denied(let m): "object store access denied: \(m)"
        case .unexpected(let m): "object store error: \(m)"
        }
    }
}

/// A blocking S3 client for one cluster: path-style requests (`http://host/bucket/key`, what radosgw and most
/// S3-compatible stores on a private network take), SigV4 headers, keep-alive connections from a pool, a
/// deadline per attempt, and retries with exponential backoff on connection errors, timeouts and 5xx (every
/// request here is idempotent). Call it off the event loops.
public final class S3Client: Sendable {
    public let cluster: S3Cluster
    let signer: SigV4Signer
    let pool: ConnectionPool
    /// The deadline of one attempt, connection included.
    public let timeout: Duration
    /// Attempts in all (1 = no retry).
    public let attempts: Int
    /// The wait before the second attempt; doubled for each next one, with jitter.
    public let backoff: Duration
    public let maxBody: Int
    private let sent = Atomic<Int>(0)

    /// Requests sent so far (each attempt counts): for tests and metrics.
    public var requestsSent: Int { sent.load(ordering: .relaxed) }

    public init(cluster: S3Cluster, timeout: Duration = .seconds(5), attempts: Int = 3, backoff: Duration = .milliseconds(50),
                maxBody: Int = 256 << 20) {
        self.cluster = cluster
        self.signer = SigV4Signer(accessKey: cluster.accessKey, secretKey: cluster.secretKey, region: cluster.region)
        self.pool = ConnectionPool(host: cluster.hostname, port: cluster.port)
        self.timeout = timeout; self.attempts = max(1, attempts); self.backoff = backoff; self.maxBody = maxBody
    }

    /// GET of the object, or of `range` of it (`Range: bytes=first-last`). The answer is returned whatever its
    /// status below 500 (200, 206, 404, 416…): the caller decides what a status means; 401/403 throw `denied`.
    public func get(bucket: String, key: String, range: Range<Int>? = nil) throws(S3Error) -> HTTPResponse {
        var extra: [(String, String)] = []
        if let range, !range.isEmpty { extra.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
        return try send("GET", bucket: bucket, key: key, headers: extra)
    }

    public func head(bucket: String, key: String) throws(S3Error) -> HTTPResponse {
        try send("HEAD", bucket: bucket, key: key, headers: [])
    }

    /// PUT of a whole object (or of the bucket when `key` is empty): for tools and tests.
    public func put(bucket: String, key: String, body: [UInt8]) throws(S3Error) -> HTTPResponse {
        try send("PUT", bucket: bucket, key: key, headers: [], body: body)
    }

    func send(_ method: String, bucket: String, key: String, headers extra: [(String, String)],
              body: [UInt8] = []) throws(S3Error) -> HTTPResponse {
        let path = SigV4Signer.encodePath("/" + bucket + (key.isEmpty ? "" : "/" + key))
        let what = "\(method) \(cluster.host)/\(bucket)/\(key)"
        var lastProblem = ""
        var attempt = 0
        var staleRetries = 0
        while attempt < attempts {
            if attempt > 0 {
                // 50 ms, 100 ms, 200 ms… ± 25 %: spread the retries of concurrent readers.
                let base = backoff * (1 << (attempt - 1))
                let jitter = Double.random(in: 0.75...1.25)
                Thread.sleep(forTimeInterval: (Double(base.components.seconds) + Double(base.components.attoseconds) / 1e18) * jitter)
            }
            attempt += 1
            let deadline = ContinuousClock.now + timeout
            let request = build(method, path: path, headers: extra, body: body)
            let checkedOut: (HTTPConnection, reused: Bool)
            do { checkedOut = try pool.checkOut(deadline: deadline) } catch {
                lastProblem = "\(error)"
                continue
            }
            let conn = checkedOut.0
            let response: HTTPResponse
            sent.add(1, ordering: .relaxed)
            do {
                let (r, reusable) = try conn.exchange(request, isHead: method == "HEAD", deadline: deadline, maxBody: maxBody)
                if reusable { pool.checkIn(conn) } else { conn.close() }
                response = r
            } catch {
                conn.close()
                // A pooled connection the server had closed: send again on a new one, not counted as a try.
                if checkedOut.reused, let t = error as? TransportError, t.beforeResponse, staleRetries < 4 {
                    staleRetries += 1; attempt -= 1; continue
                }
                lastProblem = "\(error)"
                continue
            }
            switch response.status {
            case 500...599:
                lastProblem = "\(response.status) \(Self.errorCode(response) ?? "")"
                continue
            case 401, 403:
                throw .denied("\(what): \(response.status) \(Self.errorCode(response) ?? "")")
            case 200..<300, 304, 404, 416:
                return response
            default:
                throw .unexpected("\(what): \(response.status) \(Self.errorCode(response) ?? "")")
            }
        }
        throw .unavailable("\(what): \(lastProblem) (after \(attempts) attempt\(attempts == 1 ? "" : "s"))")
    }

    func build(_ method: String, path: String, headers extra: [(String, String)], body: [UInt8]) -> [UInt8] {
        var signed = extra
        signed.append(("host", cluster.host))
        let payloadHash = body.isEmpty ? SigV4Signer.emptyPayloadHash : SigV4Signer.hex(SHA256.hash(data: body))
        let auth = signer.sign(method: method, path: path, headers: signed, payloadHash: payloadHash, date: Date())
        var s = "\(method) \(path) HTTP/1.1\r\n"
        for (k, v) in signed + auth { s += "\(k): \(v)\r\n" }
        if method == "PUT" { s += "content-length: \(body.count)\r\n" }
        s += "user-agent: passerelle\r\n\r\n"
        return Array(s.utf8) + body
    }

    /// The `<Code>` of an S3 XML error body (`NoSuchKey`, `AccessDenied`, `SignatureDoesNotMatch`…).
    public static func errorCode(_ r: HTTPResponse) -> String? {
        guard let text = r.body.getString(at: r.body.readerIndex, length: min(r.body.readableBytes, 4096)),
              let a = text.range(of: "<Code>"), let b = text.range(of: "</Code>", range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }

    /// Idle pooled connections (for tests of keep-alive).
    public var idleConnections: Int { pool.idleCount }
}
