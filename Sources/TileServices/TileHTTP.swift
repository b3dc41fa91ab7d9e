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
        h[.eTag] = etag
        h[.lastModified] = httpDate(tile.slab.modified)
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
            return modified <= d
        }
        return false
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// An IMF-fixdate (RFC 9110 §5.6.7), `Sun, 06 Nov 1994 08:49:37 GMT`, of seconds since 1970.
    public static func httpDate(_ seconds: Int64) -> String {
        var t = time_t(seconds), tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(1900 + tm.tm_year) "
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT"
    }

    /// Seconds since 1970 of an IMF-fixdate; nil for anything else (the obsolete forms included: a conditional
    /// request with a date we cannot read is answered in full).
    static func parseHTTPDate(_ s: String) -> Int64? {
        let p = s.trimmingSpaces.split(separator: " ")
        guard p.count == 6, p[5] == "GMT", days.contains(String(p[0].dropLast())), p[0].hasSuffix(","),
              let day = Int32(p[1]), let month = months.firstIndex(of: String(p[2])), let year = Int32(p[3]) else { return nil }
        let hms = p[4].split(separator: ":")
        guard hms.count == 3, let h = Int32(hms[0]), let m = Int32(hms[1]), let sec = Int32(hms[2]),
              (1...31).contains(day), (0...23).contains(h), (0...59).contains(m), (0...60).contains(sec), year >= 1970 else { return nil }
        var tm = tm()
        tm.tm_year = year - 1900; tm.tm_mon = Int32(month); tm.tm_mday = day
        tm.tm_hour = h; tm.tm_min = m; tm.tm_sec = sec
        return Int64(timegm(&tm))
    }

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
            guard let s = KVP.percentDecode(part, plusIsSpace: false) else {
                throw OGCError.invalid("path", "Invalid path encoding")
            }
            if s == ".." || s == "." || s.utf8.contains(where: { $0 == 0x2F || $0 == 0x5C || $0 == 0 }) || s.utf8.first == 0x7E {
                throw OGCError.invalid("path", "Invalid path")
            }
            out.append(s)
        }
        return out
    }
}

