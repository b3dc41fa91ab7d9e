import Foundation
import Hummingbird
import OGCCore
import ServiceKit
import TileStore

/// HTTP semantics of tile answers: validators, conditional requests, HEAD, caching.
public enum TileHTTP {
    /// The answer for a tile found in a pyramid. `contentType` is the pyramid's MIME type.
    public static func response(_ tile: TileData, contentType: String, request: OGCRequest, maxAge: Int) -> Response {
        var h = HTTPFields()
        let etag = tile.etag
        let modified = Date(timeIntervalSince1970: TimeInterval(tile.slab.modified))
        h[.eTag] = etag
        h[.lastModified] = httpDate(modified)
        h[.cacheControl] = "public, max-age=\(maxAge)"
        if notModified(request.headers, etag: etag, modified: tile.slab.modified) {
            return Response(status: .notModified, headers: h)
        }
        h[.contentType] = contentType
        h[.contentLength] = String(tile.bytes.readableBytes)
        // Vector tiles are stored uncompressed by ROK4; some producers gzip them: say so.
        if tile.bytes.readableBytes >= 2, tile.bytes.getInteger(at: tile.bytes.readerIndex, as: UInt8.self) == 0x1f,
           tile.bytes.getInteger(at: tile.bytes.readerIndex + 1, as: UInt8.self) == 0x8b {
            h[.contentEncoding] = "gzip"
        }
        if request.method == .head { return Response(status: .ok, headers: h, body: ResponseBody()) }
        return Response(status: .ok, headers: h, body: ResponseBody(byteBuffer: tile.bytes))
    }

    /// If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    static func notModified(_ headers: HTTPFields, etag: String, modified: Int64) -> Bool {
        if let inm = headers[.ifNoneMatch] {
            if inm.trimmingSpaces == "*" { return true }
            let opaque = etag.hasPrefix("W/") ? String(etag.dropFirst(2)) : etag
            return inm.split(separator: ",").contains { tag in
                var t = tag.trimmingSpaces
                if t.hasPrefix("W/") { t.removeFirst(2) }
                return t == opaque
            }
        }
        if let ims = headers[.ifModifiedSince], let d = parseHTTPDate(ims) {
            return modified <= Int64(d.timeIntervalSince1970)
        }
        return false
    }

    private static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f
    }()
    private static let lock = NSLock()

    public static func httpDate(_ d: Date) -> String { lock.withLock { formatter.string(from: d) } }
    static func parseHTTPDate(_ s: String) -> Date? { lock.withLock { formatter.date(from: s.trimmingSpaces) } }

    /// The path segments of a REST request, percent-decoded. Refuses `..`, `.`, empty segments inside,
    /// backslashes, NULs and encoded slashes before anything touches the disk.
    public static func segments(_ subpath: String) throws(OGCError) -> [String] {
        var out: [String] = []
        let raw = subpath.split(separator: "/", omittingEmptySubsequences: false)
        for (i, part) in raw.enumerated() {
            if part.isEmpty {
                if i == 0 || i == raw.count - 1 { continue }
                throw OGCError.invalid("path", "Invalid path")
            }
            guard let s = KVP.percentDecode(part.replacingOccurrences(of: "+", with: "%2B")) else {
                throw OGCError.invalid("path", "Invalid path encoding")
            }
            if s == ".." || s == "." || s.contains("/") || s.contains("\\") || s.contains("\u{0}") || s.hasPrefix("~") {
                throw OGCError.invalid("path", "Invalid path")
            }
            out.append(s)
        }
        return out
    }
}

extension DateFormatter: @retroactive @unchecked Sendable {}
