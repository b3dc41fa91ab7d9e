import PostgresNIO

extension PostgresConnectionInfo {
    /// A `PostgresClient` (pool) configuration for these parameters.
    public func clientConfiguration() -> PostgresClient.Configuration {
        if let socket = unixSocketPath {
            return .init(unixSocketPath: socket, username: user, password: password, database: database)
        }
        let tls: PostgresClient.Configuration.TLS = switch tlsMode {
        case .disable: .disable
        case .prefer(let t): .prefer(t)
        case .require(let t): .require(t)
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// A single `PostgresConnection` configuration for these parameters (for work that needs one session and
    /// should fail at once when the server cannot be reached, like an import).
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        if let socket = unixSocketPath {
            return .init(unixSocketPath: socket, username: user, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS = switch tlsMode {
        case .disable: .disable
        case .prefer(let t): .prefer(try NIOSSLContext(configuration: t))
        case .require(let t): .require(try NIOSSLContext(configuration: t))
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    private enum TLSMode { case disable, prefer(TLSConfiguration), require(TLSConfiguration) }

    /// TLS after `sslmode`, as libpq: `prefer` skips TLS on loopback, `require` does not verify the certificate.
    private var tlsMode: TLSMode {
        switch sslMode {
        case "disable", "allow": return .disable
        case "prefer":
            return host == "localhost" || host.hasPrefix("127.") ? .disable : .prefer(.makeClientConfiguration())
        default:
            var t = TLSConfiguration.makeClientConfiguration()
            if sslMode == "require" { t.certificateVerification = .none }
            return .require(t)
        }
    }
}
