import Foundation

/// One S3-compatible endpoint and the credentials to use there.
public struct S3Cluster: Sendable, Equatable {
    /// `http` only: this client speaks plain HTTP/1.1 (TLS is for a proxy or a later version).
    public var scheme: String
    public var hostname: String
    public var port: Int
    public var accessKey: String
    public var secretKey: String
    /// SigV4 region; radosgw and most S3 servers accept the default.
    public var region: String

    /// `host[:port]` as written in the URL, which is how `s3://BUCKET@HOST/` names the cluster.
    public var host: String

    public init(url: String, accessKey: String, secretKey: String, region: String = "us-east-1") throws(S3ConfigError) {
        let u = url.trimmingCharacters(in: .whitespaces)
        let scheme: String, rest: Substring
        if u.hasPrefix("http://") { scheme = "http"; rest = u.dropFirst(7) }
        else if u.hasPrefix("https://") { throw S3ConfigError("https endpoints are not supported yet (plain http only): put a TLS-terminating proxy on loopback") }
        else { throw S3ConfigError("the S3 URL must start with http://") }
        var hostPort = String(rest)
        while hostPort.hasSuffix("/") { hostPort.removeLast() }
        guard !hostPort.isEmpty, !hostPort.contains("/") else { throw S3ConfigError("the S3 URL must be http://HOST[:PORT] with no path") }
        var name = hostPort, port = 80
        if hostPort.hasPrefix("[") {   // [IPv6]:port
            guard let close = hostPort.firstIndex(of: "]") else { throw S3ConfigError("bad IPv6 address in the S3 URL") }
            name = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw S3ConfigError("bad port in the S3 URL") }
                port = p
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            guard let p = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(p) else { throw S3ConfigError("bad port in the S3 URL") }
            name = String(hostPort[..<colon]); port = p
        }
        guard !accessKey.isEmpty, !secretKey.isEmpty else { throw S3ConfigError("the S3 key and secret key must not be empty") }
        self.scheme = scheme; self.hostname = name; self.port = port; self.host = hostPort
        self.accessKey = accessKey; self.secretKey = secretKey; self.region = region
    }
}

/// The clusters of ROK4's environment: `ROK4_S3_URL`, `ROK4_S3_KEY` and `ROK4_S3_SECRETKEY`, each a
/// comma-separated list with one item per cluster, the first being the default (ROK4's own convention, so a
/// platform's existing settings work unchanged).
public struct S3Clusters: Sendable, Equatable {
    public var clusters: [S3Cluster]

    public init(clusters: [S3Cluster]) throws(S3ConfigError) {
        guard !clusters.isEmpty else { throw S3ConfigError("no S3 cluster") }
        var seen = Set<String>()
        for c in clusters where !seen.insert(c.host).inserted {
            throw S3ConfigError("the S3 cluster \(c.host) is defined twice")
        }
        self.clusters = clusters
    }

    /// nil when `ROK4_S3_URL` is not set (no object storage configured).
    public static func fromEnvironment(_ env: [String: String]) throws(S3ConfigError) -> S3Clusters? {
        guard let urls = env["ROK4_S3_URL"], !urls.isEmpty else { return nil }
        func list(_ name: String) throws(S3ConfigError) -> [String] {
            guard let v = env[name], !v.isEmpty else { throw S3ConfigError("ROK4_S3_URL is set but \(name) is not") }
            return v.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        }
        let u = try list("ROK4_S3_URL"), k = try list("ROK4_S3_KEY"), s = try list("ROK4_S3_SECRETKEY")
        guard u.count == k.count, u.count == s.count else {
            throw S3ConfigError("ROK4_S3_URL, ROK4_S3_KEY and ROK4_S3_SECRETKEY must hold as many comma-separated items")
        }
        let region = env["ROK4_S3_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        var out: [S3Cluster] = []
        for i in u.indices {
            out.append(try S3Cluster(url: u[i], accessKey: k[i], secretKey: s[i], region: region))
        }
        return try S3Clusters(clusters: out)
    }

    /// The cluster `host` names (`HOST` of `BUCKET@HOST`), the first one for nil; nil when none matches.
    public func cluster(host: String?) -> S3Cluster? {
        guard let host else { return clusters.first }
        return clusters.first { $0.host == host }
    }
}

public struct S3ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
