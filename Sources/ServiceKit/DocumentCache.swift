import HTTPTypes
import Hummingbird
import Synchronization

/// Rendered documents (capabilities) by key. The key carries the config generation, the endpoint, what the
/// request may see and the URL the document points back to (`key(_:_:version:)`), so a reload makes old entries
/// unreachable and two clients that see different layers never share a document; the cache is emptied when it
/// grows past a bound. A harvester polling a capabilities document of thousands of layers costs a lookup; one
/// that accepts gzip gets the document compressed once (from `gzipFrom` bytes).
public final class DocumentCache: Sendable {
    private let entries = Mutex<[String: [UInt8]]>([:])
    private let maxEntries: Int
    public static let gzipFrom = 64 * 1024

    public init(maxEntries: Int = 256) { self.maxEntries = maxEntries }

    /// The key of a document answering `request` in `context`, in one version of the service.
    public static func key(_ request: OGCRequest, _ context: ServiceContext, version: String) -> String {
        "\(context.snapshot.generation)|\(context.endpoint.id)|\(context.visibilityKey)|\(request.onlineResource)|\(version)"
    }

    private func get(_ key: String) -> [UInt8]? { entries.withLock { $0[key] } }

    private func put(_ key: String, _ doc: [UInt8]) {
        entries.withLock { e in
            if e.count >= maxEntries { e.removeAll() }
            e[key] = doc
        }
    }

    /// The answer of a cached document (or the one `render` makes), gzipped when it is large and the client
    /// accepts gzip.
    public func response(_ key: String, _ request: OGCRequest, contentType: String,
                         render: () async throws -> [UInt8]) async rethrows -> Response {
        let doc = try await document(key, render: render)
        guard doc.count >= Self.gzipFrom else { return Response.bytes(doc, contentType: contentType) }
        var headers: HTTPFields = [.vary: "Accept-Encoding"]
        guard Gzip.isAccepted(request.headers[.acceptEncoding]) else {
            return Response.bytes(doc, contentType: contentType, headers: headers)
        }
        let gz = await document(key + "|gzip") { Gzip.compress(doc, level: 6) ?? [] }
        guard !gz.isEmpty else { return Response.bytes(doc, contentType: contentType, headers: headers) }
        headers[.contentEncoding] = "gzip"
        return Response.bytes(gz, contentType: contentType, headers: headers)
    }

    /// The cached document, or the one `render` makes (cached).
    public func document(_ key: String, render: () async throws -> [UInt8]) async rethrows -> [UInt8] {
        if let hit = get(key) { return hit }
        let doc = try await render()
        put(key, doc)
        return doc
    }
}
