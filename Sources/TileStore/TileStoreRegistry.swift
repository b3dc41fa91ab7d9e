import Foundation
import Synchronization

/// Parsed pyramids and tile matrix sets, each cached until its file changes, and the shared slab index and tile
/// caches.
/// One per process; services share it.
public final class TileStoreRegistry: Sendable {
    private struct Cached<T: Sendable>: Sendable {
        var value: T
        var stamp: FileStamp
    }
    private struct State {
        var pyramids: [String: Cached<Pyramid>] = [:]
        var matrixSets: [String: Cached<TileMatrixSet>] = [:]
    }
    private let state = Mutex(State())
    public let indexes: SlabIndexCache
    public let tiles: TileCache
    public let fileStorage: any SlabStorage

    public init(indexes: SlabIndexCache = SlabIndexCache(), tiles: TileCache = TileCache(),
                fileStorage: any SlabStorage = FileSlabStorage()) {
        self.indexes = indexes; self.tiles = tiles; self.fileStorage = fileStorage
    }

    /// The pyramid of a descriptor, parsed again when the descriptor's modification time or size changes.
    /// `cacheKey` is the stored data id (several stored data may share a descriptor). Blocking (a stat, and a
    /// read when it changed).
    public func pyramid(descriptor path: String, cacheKey: String) throws -> Pyramid {
        let stamp = FileStamp(path: path)
        let key = cacheKey + "\u{0}" + path
        if let c = state.withLock({ $0.pyramids[key] }), c.stamp == stamp, stamp.exists { return c.value }
        let p = try Pyramid.load(descriptor: path)
        state.withLock { $0.pyramids[key] = Cached(value: p, stamp: stamp) }
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
