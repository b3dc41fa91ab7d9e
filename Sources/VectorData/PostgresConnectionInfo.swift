import Foundation

/// Connection parameters parsed from a libpq URL (`postgres://user:pw@host:port/db?sslmode=…`) or a libpq
/// key=value string (`host=… port=… user=… password=… dbname=… sslmode=…`).
public struct PostgresConnectionInfo: Sendable, Equatable {
    public var host: String = "localhost"
    public var port: Int = 5432
    public var user: String = "postgres"
    public var password: String?
    public var database: String?
    public var sslMode: String = "prefer"

    public init() {}

    /// A host beginning with "/" is a Unix socket directory (libpq convention).
    public var unixSocketPath: String? { host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil }

    public static func parse(_ raw: String) throws -> PostgresConnectionInfo {
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") { return try parseURL(s) }
        return try parseKeyValue(s)
    }

    private static func parseURL(_ s: String) throws -> PostgresConnectionInfo {
        guard let c = URLComponents(string: s) else { throw VectorDataError.unavailable("invalid PostgreSQL URL") }
        var info = PostgresConnectionInfo()
        if let h = c.host, !h.isEmpty { info.host = h.removingPercentEncoding ?? h }
        if let p = c.port { info.port = p }
        if let u = c.user, !u.isEmpty { info.user = u.removingPercentEncoding ?? u }
        if let pw = c.password { info.password = pw.removingPercentEncoding ?? pw }
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        if !db.isEmpty { info.database = db.removingPercentEncoding ?? db }
        for item in c.queryItems ?? [] {
            try info.set(item.name, item.value ?? "")
        }
        return info
    }

    private static func parseKeyValue(_ s: String) throws -> PostgresConnectionInfo {
        var info = PostgresConnectionInfo()
        var i = s.startIndex
        func skipSpaces() { while i < s.endIndex, s[i].isWhitespace { i = s.index(after: i) } }
        while true {
            skipSpaces()
            guard i < s.endIndex else { break }
            var key = ""
            while i < s.endIndex, s[i] != "=", !s[i].isWhitespace { key.append(s[i]); i = s.index(after: i) }
            skipSpaces()
            guard i < s.endIndex, s[i] == "=" else { throw VectorDataError.unavailable("invalid connection string near \(key)") }
            i = s.index(after: i)
            skipSpaces()
            var value = ""
            if i < s.endIndex, s[i] == "'" {
                i = s.index(after: i)
                var closed = false
                while i < s.endIndex {
                    let c = s[i]
                    if c == "\\", s.index(after: i) < s.endIndex { i = s.index(after: i); value.append(s[i]) }
                    else if c == "'" { closed = true; i = s.index(after: i); break }
                    else { value.append(c) }
                    i = s.index(after: i)
                }
                guard closed else { throw VectorDataError.unavailable("unterminated quote in connection string") }
            } else {
                while i < s.endIndex, !s[i].isWhitespace { value.append(s[i]); i = s.index(after: i) }
            }
            try info.set(key, value)
        }
        return info
    }

    private mutating func set(_ key: String, _ value: String) throws {
        switch key.lowercased() {
        case "host", "hostaddr": host = value
        case "port":
            guard let p = Int(value), (1...65535).contains(p) else { throw VectorDataError.unavailable("invalid port \(value)") }
            port = p
        case "user": user = value
        case "password": password = value
        case "dbname": database = value
        case "sslmode": sslMode = value.lowercased()
        default: break  // application_name, connect_timeout, …: ignored
        }
    }
}
