import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests with an empty body (GET, HEAD), in header form.
public struct SigV4Signer: Sendable {
    public var accessKey: String
    public var secretKey: String
    public var region: String
    public var service: String

    /// SHA-256 of the empty payload, sent as `x-amz-content-sha256` (S3 requires the header).
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public init(accessKey: String, secretKey: String, region: String, service: String = "s3") {
        self.accessKey = accessKey; self.secretKey = secretKey; self.region = region; self.service = service
    }

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256` and `authorization`.
    /// `path` is the canonical URI (already encoded, see `encodePath`); `headers` are the other headers to sign
    /// (at least `host`), names in any case.
    public func sign(method: String, path: String, query: String = "", headers: [(String, String)],
                     payloadHash: String = SigV4Signer.emptyPayloadHash, date: Date) -> [(String, String)] {
        let (amzDate, day) = Self.timestamps(date)
        var all = headers.map { ($0.0.lowercased(), $0.1.trimmingCharacters(in: .whitespaces)) }
        all.append(("x-amz-content-sha256", payloadHash))
        all.append(("x-amz-date", amzDate))
        all.sort { $0.0 < $1.0 }
        let signedHeaders = all.map(\.0).joined(separator: ";")
        let canonical = [method, path, query,
                         all.map { "\($0.0):\($0.1)\n" }.joined(),
                         signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.hex(SHA256.hash(data: Data(canonical.utf8))))"
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: signingKey(day: day)))
        let auth = "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        return [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash), ("authorization", auth)]
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
    func signingKey(day: String) -> SymmetricKey {
        func mac(_ key: SymmetricKey, _ s: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(s.utf8), using: key)))
        }
        var k = SymmetricKey(data: Data(("AWS4" + secretKey).utf8))
        for part in [day, region, service, "aws4_request"] { k = mac(k, part) }
        return k
    }

    /// `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd`, in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        func p2(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let day = "\(parts.tm_year + 1900)\(p2(parts.tm_mon + 1))\(p2(parts.tm_mday))"
        return ("\(day)T\(p2(parts.tm_hour))\(p2(parts.tm_min))\(p2(parts.tm_sec))Z", day)
    }

    /// The canonical URI of `/bucket/key` for S3: every byte but the unreserved ones and `/` percent-encoded,
    /// once (S3 does not double-encode).
    public static func encodePath(_ path: String) -> String {
        var out = ""
        out.reserveCapacity(path.utf8.count)
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let h = Array("0123456789ABCDEF".utf8)
                out += "%" + String(UnicodeScalar(h[Int(b >> 4)])) + String(UnicodeScalar(h[Int(b & 15)]))
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 {
        let h = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in d { out.append(h[Int(b >> 4)]); out.append(h[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
