import Foundation
import ObjectStorage
import Synchronization

/// Parsed pyramids and tile matrix sets, each cached until its file changes, and the shared slab index and tile
/// caches.
/// One per process; services share it.
public final class TileStoreRegistry: Sendable {
    private struct Cached<T: Sendable>: Sendable {
        var value: T
        var stamp: FileStamp
    }
    /// A descriptor read from object storage: its ETag is checked again at most every `objectRecheck`.
    private struct CachedObject: Sendable {
        var value: Pyramid
        var version: String
        var checkedAt: ContinuousClock.Instant
    }
    private struct State {
        var pyramids: [String: Cached<Pyramid>] = [:]
        var objectPyramids: [String: CachedObject] = [:]
        var matrixSets: [String: Cached<TileMatrixSet>] = [:]
    }
    private let state = Mutex(State())
    public let indexes: SlabIndexCache
    public let tiles: TileCache
    public let fileStorage: any SlabStorage
    /// S3 pyramids: the clusters of `ROK4_S3_URL`/`ROK4_S3_KEY`/`ROK4_S3_SECRETKEY`; nil when they are not set,
    /// the configuration error when they are set wrong (then every S3 pyramid fails with it).
    public let objectStorage: Result<S3SlabStorage, S3ConfigError>?
    /// How long an S3 descriptor is served without asking the store whether it changed.
    public let objectRecheck: Duration

    public init(indexes: SlabIndexCache = SlabIndexCache(), tiles: TileCache = TileCache(),
                fileStorage: any SlabStorage = FileSlabStorage(),
                objectStorage: Result<S3SlabStorage, S3ConfigError>? = TileStoreRegistry.objectStorageFromEnvironment(),
                objectRecheck: Duration = .seconds(5)) {
        self.indexes = indexes; self.tiles = tiles; self.fileStorage = fileStorage
        self.objectStorage = objectStorage; self.objectRecheck = objectRecheck
    }

    /// The S3 storage of ROK4's environment variables (nil when `ROK4_S3_URL` is not set).
    public static func objectStorageFromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment)
        -> Result<S3SlabStorage, S3ConfigError>? {
        do {
            guard let clusters = try S3Clusters.fromEnvironment(env) else { return nil }
            return .success(S3SlabStorage(clusters: clusters))
        } catch {
            return .failure(error)
        }
    }

    /// The S3 storage, or why there is none.
    func s3() throws -> S3SlabStorage {
        switch objectStorage {
        case .success(let s)?: return s
        case .failure(let e)?: throw TileStoreError.unsupportedStorage("S3 (\(e))")
        case nil: throw TileStoreError.unsupportedStorage("S3 (ROK4_S3_URL, ROK4_S3_KEY and ROK4_S3_SECRETKEY are not set)")
        }
    }

    /// The pyramid of a descriptor, parsed again when the descriptor's modification time or size changes.
    /// `cacheKey` is the stored data id (several stored data may share a descriptor). Blocking (a stat, and a
    /// read when it changed).
    public func pyramid(descriptor path: String, cacheKey: String) throws -> Pyramid {
        if path.hasPrefix("s3://") { return try objectPyramid(descriptor: path, cacheKey: cacheKey) }
        let stamp = FileStamp(path: path)
        let key = cacheKey + "\u{0}" + path
        if let c = state.withLock({ $0.pyramids[key] }), c.stamp == stamp, stamp.exists { return c.value }
        let p = try Pyramid.load(descriptor: path)
        state.withLock { $0.pyramids[key] = Cached(value: p, stamp: stamp) }
        return p
    }

    /// A descriptor object `s3://BUCKET[@HOST]/NAME.json`: read once, then a HEAD every `objectRecheck` at most
    /// tells whether it changed (its ETag).
    func objectPyramid(descriptor url: String, cacheKey: String) throws -> Pyramid {
        guard let loc = S3Location(url: url) else { throw TileStoreError.invalidDescriptor(url, "not s3://BUCKET/KEY") }
        let key = cacheKey + "\u{0}" + url, now = ContinuousClock.now
        let cached = state.withLock { $0.objectPyramids[key] }
        if let c = cached, now - c.checkedAt < objectRecheck { return c.value }
        let storage = try s3()
        if let c = cached {
            do {
                if let id = try storage.head(loc), id.version == c.version {
                    state.withLock { $0.objectPyramids[key]?.checkedAt = now }
                    return c.value
                }
            } catch TileStoreError.unavailable {
                // The store is down: the descriptor read before still describes the slabs (which will fail or not
                // on their own); asked again after the next `objectRecheck`.
                state.withLock { $0.objectPyramids[key]?.checkedAt = now }
                return c.value
            }
        }
        guard let object = try storage.object(loc) else {
            state.withLock { $0.objectPyramids[key] = nil }
            throw TileStoreError.io(url, "no such object")
        }
        let p = try Pyramid.parse(Data(object.bytes.readableBytesView), descriptorPath: url).onCluster(of: loc)
        state.withLock { $0.objectPyramids[key] = CachedObject(value: p, version: object.identity.version, checkedAt: now) }
        return p
    }

    /// A tile matrix set `<directory>/<id>.json`, parsed again when the file changes.
    public func tileMatrixSet(_ id: String, directory: URL) throws -> TileMatrixSet {
        guard !id.isEmpty, !id.contains("/"), !id.hasPrefix(".") else { throw TileStoreError.unknownTileMatrixSet(id) }
        let url = directory.appendingPathComponent(id + ".json")
        let stamp = FileStamp(path: url.path)
        guard stamp.exists else { throw TileStoreError.unknownTileMatrixSet(id) }
        if let c = state.withLock({ $0.matrixSets[url.path] }), c.stamp == stamp { return c.value }
        let t = try TileMatrixSet.load(url)
        state.withLock { $0.matrixSets[url.path] = Cached(value: t, stamp: stamp) }
        return t
    }

    /// A reader for a pyramid, on the storage its levels use.
    public func reader(for pyramid: Pyramid) throws -> PyramidReader {
        switch pyramid.levels.first?.storage {
        case .file?, nil: return PyramidReader(pyramid: pyramid, storage: fileStorage, indexes: indexes, tiles: tiles)
        case .object("S3", _, _)?: return PyramidReader(pyramid: pyramid, storage: try s3(), indexes: indexes, tiles: tiles)
        case .object(let type, _, _)?: throw TileStoreError.unsupportedStorage(type)
        }
    }
}

/// Modification time and size of a file, to tell when it changed.
struct FileStamp: Sendable, Equatable {
    var exists: Bool
    var mtime: Int64
    var mtimeNanoseconds: Int64
    var size: Int64

    init(path: String) {
        var st = stat()
        if stat(path, &st) == 0 {
            exists = true; mtime = Int64(st.st_mtim.tv_sec); mtimeNanoseconds = Int64(st.st_mtim.tv_nsec); size = Int64(st.st_size)
        } else {
            exists = false; mtime = 0; mtimeNanoseconds = 0; size = 0
        }
    }
}
