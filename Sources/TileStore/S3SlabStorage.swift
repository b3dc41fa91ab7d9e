import Foundation
import NIOCore
import ObjectStorage
import Synchronization

/// Slabs as objects in S3-compatible storage (ROK4's S3 layout, §4.2 of the format note). Keys are
/// `BUCKET[@HOST]/OBJECT`; HOST picks the cluster (ROK4's convention), none the first.
///
/// Reads: one ranged GET for a slab's index, one for each tile. The identity (ETag, size, Last-Modified) comes
/// with every GET, so a slab replaced under a cached index is seen at the next tile read (the reader then reads
/// the index again). So that the reader's "identity first" check does not cost a HEAD per tile, identities are
/// kept for `positiveTTL` after any request that returned them; "no such slab" for `negativeTTL` (as long as the
/// tile cache trusts a "no data" answer: a new slab is served as fast as on a file system).
///
/// `SYMLINK#BUCKET/OBJECT` objects (slabs shared with another pyramid, §4.3) are followed here, once, as the OS
/// follows a symbolic link for files: the reader sees the target's bytes and identity under the link's key.
/// A link's target is trusted for `positiveTTL`, after which the link object is read again.
public final class S3SlabStorage: SlabStorage {
    private struct Resolution {
        /// Where the bytes are (the link's target for a link); nil when the slab does not exist.
        var target: S3Location?
        var identity: SlabIdentity?
        var at: ContinuousClock.Instant
    }

    public let clusters: S3Clusters
    private let clients: [String: S3Client]
    private let resolved: Mutex<BoundedLRU<Resolution>>
    public let positiveTTL: Duration
    public let negativeTTL: Duration

    /// Marks a link object; the rest of the object is the target, `BUCKET/OBJECT`.
    static let symlinkSignature = "SYMLINK#"
    /// Objects smaller than this cannot be slabs (the header alone is 2048 bytes): they are read whole, to see
    /// whether they are links.
    static let maxLinkSize = Int64(SlabIndex.headerSize)

    public init(clusters: S3Clusters, timeout: Duration = .seconds(5), attempts: Int = 3,
                positiveTTL: Duration = .seconds(10), negativeTTL: Duration = .seconds(1), maxCacheBytes: Int = 8 << 20) {
        self.clusters = clusters
        var clients: [String: S3Client] = [:]
        for c in clusters.clusters { clients[c.host] = S3Client(cluster: c, timeout: timeout, attempts: attempts) }
        self.clients = clients
        self.positiveTTL = positiveTTL; self.negativeTTL = negativeTTL
        self.resolved = Mutex(BoundedLRU(maxCost: maxCacheBytes))
    }

    // MARK: SlabStorage

    public func identity(_ key: String) throws -> SlabIdentity? {
        if let r = fresh(key) { return r.identity }
        return try resolve(key).identity
    }

    public func readRange(_ key: String, offset: Int, length: Int) throws -> SlabBytes? {
        let res = try fresh(key) ?? resolve(key)
        guard let target = res.target, let identity = res.identity else { return nil }
        guard length > 0 else { return SlabBytes(bytes: ByteBuffer(), identity: identity) }
        let r = try call(key) { try client(target, key: key).get(bucket: target.bucket, key: target.key, range: offset..<(offset + length)) }
        switch r.status {
        case 404:
            forget(key)
            return nil
        case 416:
            // The range starts past the end: fewer (no) bytes, as for a file; the identity from a fresh look.
            forget(key)
            let again = try resolve(key)
            return again.identity.map { SlabBytes(bytes: ByteBuffer(), identity: $0) }
        case 200, 206:
            guard let info = ObjectInfo(r) else { throw TileStoreError.io(key, "the object store's answer has no size") }
            let id = Self.identity(info)
            remember(key, Resolution(target: target, identity: id, at: .now))
            var body = r.body
            if r.status == 200 {
                // The whole object came back (the store ignored the range, or it covered everything): cut it.
                guard offset < body.readableBytes else { return SlabBytes(bytes: ByteBuffer(), identity: id) }
                body = body.getSlice(at: body.readerIndex + offset, length: min(length, body.readableBytes - offset))!
            }
            return SlabBytes(bytes: body, identity: id)
        default:
            throw TileStoreError.io(key, "unexpected status \(r.status)")
        }
    }

    // MARK: Descriptors and other whole objects

    /// The whole object and its identity; nil when it does not exist. Blocking.
    public func object(_ loc: S3Location) throws -> (bytes: ByteBuffer, identity: SlabIdentity)? {
        let name = loc.description
        let r = try call(name) { try client(loc, key: name).get(bucket: loc.bucket, key: loc.key) }
        guard r.status != 404 else { return nil }
        guard r.status == 200, let info = ObjectInfo(r) else { throw TileStoreError.io(name, "unexpected status \(r.status)") }
        return (r.body, Self.identity(info))
    }

    /// The identity of an object (a HEAD); nil when it does not exist. Blocking.
    public func head(_ loc: S3Location) throws -> SlabIdentity? {
        let name = loc.description
        let r = try call(name) { try client(loc, key: name).head(bucket: loc.bucket, key: loc.key) }
        guard r.status != 404 else { return nil }
        guard r.status == 200, let info = ObjectInfo(r) else { throw TileStoreError.io(name, "unexpected status \(r.status)") }
        return Self.identity(info)
    }

    // MARK: Links

    /// The target of a `SYMLINK#BUCKET/OBJECT` object body; nil when the body is not a link. The target is on the
    /// link's cluster (ROK4 makes links within one cluster only), so a target bucket without `@HOST` takes the
    /// link's host.
    static func symlinkTarget(_ body: ByteBuffer, linkHost: String?) -> S3Location? {
        guard body.readableBytes > symlinkSignature.utf8.count,
              body.getString(at: body.readerIndex, length: symlinkSignature.utf8.count) == symlinkSignature,
              let rest = body.getString(at: body.readerIndex + symlinkSignature.utf8.count,
                                        length: body.readableBytes - symlinkSignature.utf8.count) else { return nil }
        guard var target = S3Location(trayAndKey: rest.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        if target.host == nil { target.host = linkHost }
        return target
    }

    // MARK: Internals

    /// HEAD of the key; a small object is read whole to see whether it is a link, and a link's target is looked
    /// at (one link at most, as ROK4).
    private func resolve(_ key: String) throws -> Resolution {
        guard let loc = S3Location(trayAndKey: key) else { throw TileStoreError.io(key, "not an object key BUCKET/OBJECT") }
        var res = Resolution(target: nil, identity: nil, at: .now)
        if let info = try headInfo(loc, key: key), info.size > 0 {
            res.target = loc; res.identity = Self.identity(info)
            if info.size < Self.maxLinkSize {
                let r = try call(key) { try client(loc, key: key).get(bucket: loc.bucket, key: loc.key) }
                if r.status == 200, let target = Self.symlinkTarget(r.body, linkHost: loc.host) {
                    if let t = try headInfo(target, key: key), t.size > 0 {
                        res.target = target; res.identity = Self.identity(t)
                    } else {
                        res.target = nil; res.identity = nil   // a dangling link: no slab
                    }
                }
            }
        }
        remember(key, res)
        return res
    }

    private func headInfo(_ loc: S3Location, key: String) throws -> ObjectInfo? {
        let r = try call(key) { try client(loc, key: key).head(bucket: loc.bucket, key: loc.key) }
        if r.status == 404 { return nil }
        guard r.status == 200, let info = ObjectInfo(r) else { throw TileStoreError.io(key, "unexpected HEAD status \(r.status)") }
        return info
    }

    private func client(_ loc: S3Location, key: String) throws -> S3Client {
        guard let c = clusters.cluster(host: loc.host), let client = clients[c.host] else {
            throw TileStoreError.io(key, "no S3 cluster \(loc.host ?? "") in ROK4_S3_URL")
        }
        return client
    }

    /// Runs an S3 call, its errors as the tile store's: unavailable (worth trying again) or an I/O error.
    private func call<T>(_ key: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as S3Error {
            throw Self.tileStoreError(e, key: key)
        }
    }

    static func tileStoreError(_ e: S3Error, key: String) -> TileStoreError {
        switch e {
        case .unavailable: .unavailable(key, e.description)
        case .denied, .unexpected: .io(key, e.description)
        }
    }

    static func identity(_ info: ObjectInfo) -> SlabIdentity {
        SlabIdentity(version: info.etag, size: info.size, modified: info.modified)
    }

    private func fresh(_ key: String) -> Resolution? {
        let now = ContinuousClock.now
        return resolved.withLock { lru -> Resolution? in
            guard let r = lru.peek(key) else { return nil }
            let ttl = r.identity == nil ? negativeTTL : positiveTTL
            guard now - r.at < ttl else { return nil }
            return lru.get(key)
        }
    }

    private func remember(_ key: String, _ r: Resolution) {
        let cost = key.utf8.count * 2 + (r.identity?.version.utf8.count ?? 0) + 160
        resolved.withLock { $0.put(key, r, cost: cost) }
    }

    private func forget(_ key: String) {
        resolved.withLock { $0.remove(key) }
    }
}
