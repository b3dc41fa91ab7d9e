/// Where an object is, as ROK4 writes it: `s3://BUCKET/KEY` or `s3://BUCKET@HOST/KEY`, where HOST (the endpoint
/// URL without its scheme, e.g. `s3.example.org` or `127.0.0.1:7480`) picks one of the configured clusters; with
/// no host, the first cluster.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    /// The cluster's host (`host[:port]`), nil for the default (first) cluster.
    public var host: String?
    public var key: String

    public init(bucket: String, host: String? = nil, key: String) {
        self.bucket = bucket; self.host = host; self.key = key
    }

    /// Parses `s3://BUCKET[@HOST]/KEY`; nil for anything else (other schemes, no bucket, no key).
    public init?(url: String) {
        guard url.hasPrefix("s3://") else { return nil }
        self.init(trayAndKey: String(url.dropFirst(5)))
    }

    /// Parses `BUCKET[@HOST]/KEY`, the form of slab keys and of `SYMLINK#` targets.
    public init?(trayAndKey s: String) {
        guard let slash = s.firstIndex(of: "/") else { return nil }
        let tray = s[..<slash], key = s[s.index(after: slash)...]
        guard !tray.isEmpty, !key.isEmpty else { return nil }
        let (bucket, host) = Self.splitTray(String(tray))
        guard !bucket.isEmpty, host != "" else { return nil }
        self.init(bucket: bucket, host: host, key: String(key))
    }

    /// `BUCKET@HOST` → (BUCKET, HOST); `BUCKET` → (BUCKET, nil).
    public static func splitTray(_ tray: String) -> (bucket: String, host: String?) {
        guard let at = tray.firstIndex(of: "@") else { return (tray, nil) }
        return (String(tray[..<at]), String(tray[tray.index(after: at)...]))
    }

    /// `BUCKET[@HOST]`, as a level's `bucket_name` or a slab key's first element is written.
    public var tray: String { host.map { "\(bucket)@\($0)" } ?? bucket }

    /// `s3://BUCKET[@HOST]/KEY`.
    public var description: String { "s3://\(tray)/\(key)" }
}
