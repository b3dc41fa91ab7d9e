/// Key-value-pair parameters of an OGC request (the query string), with case-insensitive names.
///
/// Names are compared in upper case, values are kept as sent (after percent-decoding). A query string that is
/// not valid UTF-8 once decoded, or that repeats a parameter with different values, is refused.
public struct KVP: Sendable, Equatable {
    /// Parameters in the order they came, names upper-cased.
    public private(set) var items: [(name: String, value: String)] = []
    private var index: [String: Int] = [:]

    public static func == (a: KVP, b: KVP) -> Bool {
        a.items.map(\.name) == b.items.map(\.name) && a.items.map(\.value) == b.items.map(\.value)
    }

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (k, v) in pairs { set(k, v) }
    }

    /// Parses a raw (still percent-encoded) query string. `+` is a space, as in HTML forms.
    public init(query: String) throws(OGCError) {
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let (rawName, rawValue): (Substring, Substring)
            if let eq = part.firstIndex(of: "=") {
                rawName = part[..<eq]; rawValue = part[part.index(after: eq)...]
            } else {
                rawName = part; rawValue = ""
            }
            guard var name = KVP.percentDecode(rawName), let value = KVP.percentDecode(rawValue) else {
                throw OGCError(.invalidParameterValue, locator: String(rawName.prefix(64)),
                               "The query string is not valid percent-encoded UTF-8")
            }
            // Clients that append "?" + parameters to a URL that already has a query (OWSLib does with
            // `…/wfs?apikey=K`) send `&?service=WFS`: the name is `service`.
            while name.hasPrefix("?") { name.removeFirst() }
            if name.isEmpty { continue }
            set(name, value)
        }
    }

    public mutating func set(_ name: String, _ value: String) {
        let key = name.uppercased()
        if let i = index[key] { items[i].value = value } else {
            index[key] = items.count
            items.append((key, value))
        }
    }

    public mutating func remove(_ name: String) {
        let key = name.uppercased()
        guard let i = index[key] else { return }
        items.remove(at: i)
        index = [:]
        for (j, item) in items.enumerated() { index[item.name] = j }
    }

    public subscript(_ name: String) -> String? {
        index[name.uppercased()].map { items[$0].value }
    }

    /// The value, or nil when absent or empty.
    public func nonEmpty(_ name: String) -> String? {
        guard let v = self[name]?.trimmingSpaces, !v.isEmpty else { return nil }
        return v
    }

    /// The value; `MissingParameterValue` when absent or empty.
    public func required(_ name: String) throws(OGCError) -> String {
        guard let v = nonEmpty(name) else { throw OGCError.missing(name) }
        return v
    }

    /// A non-negative integer parameter.
    public func integer(_ name: String, min: Int = 0, max: Int = Int(Int32.max)) throws(OGCError) -> Int? {
        guard let s = nonEmpty(name) else { return nil }
        guard let v = Int(s), v >= min, v <= max else {
            throw OGCError.invalid(name, "\(name) must be an integer between \(min) and \(max)")
        }
        return v
    }

    /// A comma-separated list (empty items kept, as WMS STYLES needs them).
    public func list(_ name: String) -> [String]? {
        guard let v = self[name] else { return nil }
        if v.isEmpty { return [] }
        return v.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
    }

    /// Decodes `%XX` escapes and `+`; nil when an escape is malformed or the result is not valid UTF-8.
    /// `plusIsSpace`: `+` means a space in a query string (form encoding), not in a URL path.
    public static func percentDecode(_ s: some StringProtocol, plusIsSpace: Bool = true) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            switch b {
            case UInt8(ascii: "+") where plusIsSpace: bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let h = it.next(), let l = it.next(), let hv = hexValue(h), let lv = hexValue(l) else { return nil }
                bytes.append(hv << 4 | lv)
            default: bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// Percent-encodes a value for a query string (RFC 3986 unreserved characters kept).
    public static func percentEncode(_ s: some StringProtocol) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

extension StringProtocol {
    /// The string without leading and trailing ASCII white space.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
