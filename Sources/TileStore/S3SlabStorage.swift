import Foundation
import NIOCore
import NIOPosix
import ObjectStorage
import Synchronization

/// Slabs as objects in S3-compatible storage (ROK4's S3 layout, §4.2 of the format note). Keys are
/// `BUCKET[@HOST]/OBJECT`; HOST picks the cluster (ROK4's convention), none the first.
///
/// Reads: one ranged GET for a slab's index, one for each tile. The first look at a slab (the reader asks for its
/// identity before its index) is a GET of its first `headBytes` (the header and index of a slab of up to 256
/// tiles), kept a moment for the index read that follows: so the index costs that one GET, not a HEAD and a GET.
/// The identity (ETag, size, Last-Modified) comes with every GET, so a slab replaced under a cached index is seen
/// at the next tile read (the reader then reads the index again). So that the reader's "identity first" check
/// does not cost a request per tile, identities are kept for `positiveTTL` after any answer that gave them; "no
/// such slab" for `negativeTTL` (as long as the tile cache trusts a "no data" answer).
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

    /// The first bytes of a slab read by a first look, for the index read that follows.
    private struct Head {
        var bytes: ByteBuffer
        var identity: SlabIdentity
        var at: ContinuousClock.Instant
    }

    public let clusters: S3Clusters
    private let clients: [String: S3Client]
    private let resolved: Mutex<BoundedLRU<Resolution>>
    private let heads = Mutex<[String: Head]>([:])
    public let positiveTTL: Duration
    public let negativeTTL: Duration

    /// Marks a link object; the rest of the object is the target, `BUCKET/OBJECT`.
    static let symlinkSignature = "SYMLINK#"
    /// Objects smaller than this cannot be slabs (the header alone is 2048 bytes): they are read whole, to see
    /// whether they are links.
    static let maxLinkSize = Int64(SlabIndex.headerSize)
    /// What a first look reads: the header and index of a 16×16 slab, the usual size (larger indexes are read
    /// with a second GET).
    static let headBytes = SlabIndex.byteCount(tiles: 256)
    /// Heads kept at most, and for how long: only until the index read that follows a first look.
    static let maxHeads = 256
    static let headLife: Duration = .seconds(2)

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

    /// Reads wait on the network, not on the CPU: NIO's shared pool (a thread per core) would allow two reads in
    /// flight on two cores. One pool for every S3 storage of the process, as many threads as pooled connections.
    static let pool: NIOThreadPool = {
        let p = NIOThreadPool(numberOfThreads: 32)
        p.start()
        return p
    }()

    public var blockingPool: NIOThreadPool { Self.pool }

    public func identity(_ key: String) throws -> SlabIdentity? {
        if let r = fresh(key) { return r.identity }
        return try resolve(key).identity
    }

    public func readRange(_ key: String, offset: Int, length: Int) throws -> SlabBytes? {
        let res = try fresh(key) ?? resolve(key)
        guard let target = res.target, let identity = res.identity else { return nil }
        guard length > 0 else { return SlabBytes(bytes: ByteBuffer(), identity: identity) }
        if offset == 0, let head = takeHead(key), head.identity == identity,
           head.bytes.readableBytes >= length || Int64(head.bytes.readableBytes) == identity.size {
            return SlabBytes(bytes: head.bytes.getSlice(at: head.bytes.readerIndex, length: min(length, head.bytes.readableBytes))!,
                             identity: identity)
        }
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
            // A plain slab was just seen as it is; a link's target, not its link: the link is read again when its
            // first look is `positiveTTL` old.
            let isLink = target != S3Location(trayAndKey: key)
            remember(key, Resolution(target: target, identity: id, at: isLink ? res.at : .now))
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

    /// Requests sent to every cluster so far.
    public var requestsSent: Int { clients.values.reduce(0) { $0 + $1.requestsSent } }

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

    /// A first look at a key: a GET of its first `headBytes`. An object smaller than a slab header that starts with
    /// `SYMLINK#` is a link: its target is looked at the same way (one link at most, as ROK4). The bytes read are
    /// kept for the index read that follows.
    private func resolve(_ key: String) throws -> Resolution {
        guard let loc = S3Location(trayAndKey: key) else { throw TileStoreError.io(key, "not an object key BUCKET/OBJECT") }
        var res = Resolution(target: nil, identity: nil, at: .now)
        if var (info, body) = try firstBytes(loc, key: key) {
            var target = loc
            if info.size < Self.maxLinkSize, let linked = Self.symlinkTarget(body, linkHost: loc.host) {
                if let t = try firstBytes(linked, key: key) { (info, body) = t; target = linked } else { info.size = 0 }
            }
            if info.size > 0 {
                res.target = target; res.identity = Self.identity(info)
                keepHead(key, Head(bytes: body, identity: Self.identity(info), at: res.at))
            }
        }
        remember(key, res)
        return res
    }

    /// The identity and first `headBytes` of an object; nil when it does not exist or is empty.
    private func firstBytes(_ loc: S3Location, key: String) throws -> (ObjectInfo, ByteBuffer)? {
        let r = try call(key) { try client(loc, key: key).get(bucket: loc.bucket, key: loc.key, range: 0..<Self.headBytes) }
        switch r.status {
        case 404, 416: return nil   // 416: the range starts past the end, so the object is empty
        case 200, 206:
            guard let info = ObjectInfo(r) else { throw TileStoreError.io(key, "the object store's answer has no size") }
            guard info.size > 0 else { return nil }
            var body = r.body
            if body.readableBytes > Self.headBytes { body = body.getSlice(at: body.readerIndex, length: Self.headBytes)! }
            return (info, body)
        default:
            throw TileStoreError.io(key, "unexpected status \(r.status)")
        }
    }

    private func keepHead(_ key: String, _ h: Head) {
        heads.withLock { m in
            if m.count >= Self.maxHeads {
                // Heads not taken at once will not be: drop the stale ones, or all if none is.
                let now = ContinuousClock.now
                m = m.filter { now - $0.value.at < Self.headLife }
                if m.count >= Self.maxHeads { m.removeAll(keepingCapacity: true) }
            }
            m[key] = h
        }
    }

    private func takeHead(_ key: String) -> Head? {
        let now = ContinuousClock.now
        return heads.withLock { m in
            guard let h = m.removeValue(forKey: key), now - h.at < Self.headLife else { return nil }
            return h
        }
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
