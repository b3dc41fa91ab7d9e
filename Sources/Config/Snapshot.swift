import Foundation
import Synchronization

/// A problem found in a config file: which file, where in it (a JSON path such as
/// `$.type_infos.used_data[0].stored_data`), and what.
public struct ConfigIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var path: String
    public var message: String
    /// true when an earlier good version of the object keeps serving.
    public var stale: Bool

    public init(file: String, path: String = "$", message: String, stale: Bool = false) {
        self.file = file; self.path = path; self.message = message; self.stale = stale
    }

    public var description: String { "\(file): \(path): \(message)" }
}

/// One immutable, validated state of the config directory. Requests read one snapshot from start to end;
/// a reload builds a new one and swaps it in.
public struct ConfigSnapshot: Sendable {
    public var generation: Int
    public var loadedAt: Date
    public var directory: URL
    public var settings: ServerSettings
    public var stylesDirectory: URL
    public var tileMatrixSetsDirectory: URL
    public var endpoints: [String: Endpoint] { didSet { routes = Self.routes(of: endpoints); publishedMemo = Memo() } }
    public var storedData: [String: StoredData] { didSet { publishedMemo = Memo() } }
    public var configurations: [String: Configuration] { didSet { publishedMemo = Memo() } }
    public var offerings: [String: Offering] { didSet { publishedMemo = Memo() } }
    public var permissions: [String: Permission]
    public var keys: KeyRing
    public var issues: [ConfigIssue]
    /// Objects left aside on purpose, not errors: endpoints and configurations of types this server does not
    /// serve (DOWNLOAD, METADATA, ALTIMETRY…), as the platform's listings include them.
    public var skipped: [ConfigIssue] = []
    /// Content hash of each loaded file (by path relative to the directory), to tell what changed.
    public var fileHashes: [String: String]
    /// What the watcher saw just before this snapshot's files were read.
    public var fingerprint: [String: FileSignature] = [:]

    public init(directory: URL, settings: ServerSettings = ServerSettings()) {
        generation = 0
        loadedAt = Date()
        self.directory = directory
        self.settings = settings
        stylesDirectory = directory.appendingPathComponent("styles")
        tileMatrixSetsDirectory = directory.appendingPathComponent("tilematrixsets")
        endpoints = [:]; storedData = [:]; configurations = [:]; offerings = [:]; permissions = [:]; keys = KeyRing()
        issues = []; fileHashes = [:]
    }

    /// Every endpoint path (from its URLs) with the endpoint and the URL type (WMS, WFS, WMTS, TMS), longest path
    /// first. Kept up to date with `endpoints` (read on every request, so computed once per change, not per read).
    public private(set) var routes: [(path: String, endpoint: Endpoint, urlType: String)] = []

    static func routes(of endpoints: [String: Endpoint]) -> [(path: String, endpoint: Endpoint, urlType: String)] {
        let all: [(path: String, endpoint: Endpoint, urlType: String)] =
            endpoints.values.flatMap { e in e.urls.map { ($0.path, e, $0.type.uppercased()) } }
        return all.sorted { a, b in
            let (la, lb) = (a.path.count, b.path.count)
            return la != lb ? la > lb : a.path < b.path
        }
    }

    /// `published(on:)` by endpoint, computed on first use (every request asks) and dropped when what it depends
    /// on changes.
    private final class Memo: Sendable {
        let byEndpoint = Mutex<[String: [Published]]>([:])
    }
    private var publishedMemo = Memo()

    /// The offerings published on an endpoint, resolved, in a stable order (layer name).
    public func published(on endpointID: String) -> [Published] {
        if let hit = publishedMemo.byEndpoint.withLock({ $0[endpointID] }) { return hit }
        let list = resolvePublished(on: endpointID)
        publishedMemo.byEndpoint.withLock { $0[endpointID] = list }
        return list
    }

    private func resolvePublished(on endpointID: String) -> [Published] {
        offerings.values.compactMap { o -> Published? in
            guard o.endpoint == endpointID, o.available,
                  let c = configurations[o.configuration], let e = endpoints[o.endpoint] else { return nil }
            let sd = Dictionary(c.typeInfos.usedData.compactMap { u in storedData[u.storedData].map { (u.storedData, $0) } },
                                uniquingKeysWith: { a, _ in a })
            return Published(offering: o, configuration: c, endpoint: e, storedData: sd)
        }.sorted { $0.configuration.layerName < $1.configuration.layerName }
    }
}

/// An offering with everything it refers to.
public struct Published: Sendable {
    public var offering: Offering
    public var configuration: Configuration
    public var endpoint: Endpoint
    public var storedData: [String: StoredData]

    public init(offering: Offering, configuration: Configuration, endpoint: Endpoint, storedData: [String: StoredData]) {
        self.offering = offering; self.configuration = configuration; self.endpoint = endpoint; self.storedData = storedData
    }

    /// Served without a key: an open offering, or any offering on an open endpoint.
    public var isOpen: Bool { offering.open || endpoint.open }
}
