import Foundation

/// What identifies one version of an object, read from the headers of a HEAD or (ranged) GET answer: the same
/// values either way, so a tile read can be checked against the index it was found in.
public struct ObjectInfo: Sendable, Equatable {
    /// The ETag without its quotes.
    public var etag: String
    /// The whole object's size (from `Content-Range: bytes a-b/SIZE` for a 206, `Content-Length` otherwise).
    public var size: Int64
    /// `Last-Modified`, in seconds since 1970 (0 when absent).
    public var modified: Int64

    public init(etag: String, size: Int64, modified: Int64) {
        self.etag = etag; self.size = size; self.modified = modified
    }

    /// nil when the size cannot be told.
    public init?(_ r: HTTPResponse) {
        var size: Int64?
        if r.status == 206 || r.status == 416, let cr = r.header("content-range"), let slash = cr.lastIndex(of: "/") {
            size = Int64(cr[cr.index(after: slash)...].trimmingCharacters(in: .whitespaces))
        } else if let cl = r.header("content-length") {
            size = Int64(cl)
        }
        guard let size else { return nil }
        var etag = r.header("etag") ?? ""
        if etag.hasPrefix("W/") { etag.removeFirst(2) }
        etag = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        self.init(etag: etag, size: size, modified: r.header("last-modified").flatMap(Self.parseHTTPDate) ?? 0)
    }

    /// `Thu, 03 Dec 2026 13:47:01 GMT` (RFC 7231 IMF-fixdate, what S3 servers send) → seconds since 1970.
    public static func parseHTTPDate(_ s: String) -> Int64? {
        let f = s.split(separator: " ")
        guard f.count == 6, f[0].hasSuffix(","), f[5] == "GMT",
              let day = Int32(f[1]), let year = Int32(f[3]),
              let month = months.firstIndex(of: String(f[2])) else { return nil }
        let hms = f[4].split(separator: ":").compactMap { Int32($0) }
        guard hms.count == 3 else { return nil }
        var t = tm()
        t.tm_year = year - 1900; t.tm_mon = Int32(month); t.tm_mday = day
        t.tm_hour = hms[0]; t.tm_min = hms[1]; t.tm_sec = hms[2]
        return Int64(timegm(&t))
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
