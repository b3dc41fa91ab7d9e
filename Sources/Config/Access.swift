import Crypto
import Foundation

/// A permission (`permissions/<id>.json`): the platform's PermissionCreateDto — a licence, the offerings it
/// grants, an optional end date.
public struct Permission: Sendable, Equatable, Codable {
    public var id: String = ""
    public var licence: String?
    public var offerings: [String]
    public var endDate: Date?
    public var onlyOAuth: Bool?

    enum CodingKeys: String, CodingKey {
        case licence, offerings
        case endDate = "end_date"
        case onlyOAuth = "only_oauth"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        licence = try c.decodeIfPresent(String.self, forKey: .licence)
        offerings = try c.decode([String].self, forKey: .offerings)
        onlyOAuth = try c.decodeIfPresent(Bool.self, forKey: .onlyOAuth)
        if let s = try c.decodeIfPresent(String.self, forKey: .endDate) {
            guard let d = parseISODate(s) else {
                throw DecodingError.dataCorruptedError(forKey: .endDate, in: c, debugDescription: "not an ISO 8601 date: \(s)")
            }
            endDate = d
        }
    }
}

/// An API key (`keys/<id>.json`), in the platform's UserKey shape with its accesses. Only the SHA-256 of the
/// key is stored (`type_infos.hash_sha256`, hex); `passerelle hash-key` computes it.
public struct APIKey: Sendable, Equatable, Codable {
    public var id: String = ""
    public var name: String
    public var type: String?
    public var typeInfos: TypeInfos
    public var accesses: [Access]
    public var endDate: Date?

    public struct TypeInfos: Sendable, Equatable, Codable {
        public var hashSHA256: String?
        /// The platform's clear-text hash key: refused (keys are stored hashed).
        public var hash: String?
        enum CodingKeys: String, CodingKey {
            case hash
            case hashSHA256 = "hash_sha256"
        }
    }

    /// The platform's AccessCreateDto: offerings used through a permission.
    public struct Access: Sendable, Equatable, Codable {
        public var permission: String
        public var offerings: [String]
    }

    enum CodingKeys: String, CodingKey {
        case name, type, accesses
        case typeInfos = "type_infos"
        case endDate = "end_date"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        typeInfos = try c.decode(TypeInfos.self, forKey: .typeInfos)
        accesses = try c.decodeIfPresent([Access].self, forKey: .accesses) ?? []
        if let s = try c.decodeIfPresent(String.self, forKey: .endDate) {
            guard let d = parseISODate(s) else {
                throw DecodingError.dataCorruptedError(forKey: .endDate, in: c, debugDescription: "not an ISO 8601 date: \(s)")
            }
            endDate = d
        }
    }

    var digest: [UInt8]? { typeInfos.hashSHA256.flatMap(hexBytes) }

    public func isValid(at date: Date) -> Bool { endDate.map { date < $0 } ?? true }

    /// The hex SHA-256 of a key, as stored in `type_infos.hash_sha256`.
    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// The keys of a snapshot, matched by digest in constant time.
public struct KeyRing: Sendable {
    public var keys: [APIKey]

    public init(_ keys: [APIKey] = []) { self.keys = keys }

    /// The key whose digest equals the presented key's. Every stored digest is compared, with no early exit.
    public func match(_ presented: String) -> APIKey? {
        let d = Array(SHA256.hash(data: Array(presented.utf8)))
        var found: APIKey?
        for k in keys {
            guard let kd = k.digest, kd.count == d.count else { continue }
            var diff: UInt8 = 0
            for i in 0..<d.count { diff |= kd[i] ^ d[i] }
            if diff == 0 { found = k }
        }
        return found
    }
}

extension ConfigSnapshot {
    /// The offerings a key may use now: those of its accesses whose permission exists, has not ended and
    /// still lists the offering.
    public func grantedOfferings(for key: APIKey) -> Set<String> {
        var out: Set<String> = []
        for a in key.accesses {
            guard let p = permissions[a.permission], p.endDate.map({ now < $0 }) ?? true, p.onlyOAuth != true else { continue }
            for o in a.offerings where p.offerings.contains(o) { out.insert(o) }
        }
        return out
    }

    /// The time access decisions are made at.
    public var now: Date { Date() }
}

func parseISODate(_ s: String) -> Date? {
    let f = ISO8601DateFormatter()
    if let d = f.date(from: s) { return d }
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let d = f.date(from: s) { return d }
    f.formatOptions = [.withFullDate]
    return f.date(from: s)
}

func hexBytes(_ s: String) -> [UInt8]? {
    let u = Array(s.lowercased().utf8)
    guard u.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    var i = 0
    while i < u.count {
        guard let h = hexNibble(u[i]), let l = hexNibble(u[i + 1]) else { return nil }
        out.append(h << 4 | l); i += 2
    }
    return out
}

private func hexNibble(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x61...0x66: c - 0x61 + 10
    default: nil
    }
}
