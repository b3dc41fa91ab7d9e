import NIOCore
import NIOPosix

/// What identifies one version of a slab: a replaced or rewritten slab gets another identity, so cached indexes
/// and HTTP validators (ETag, Last-Modified) follow it.
public struct SlabIdentity: Sendable, Hashable {
    /// File: `device:inode`; objects: the store's ETag.
    public var version: String
    public var size: Int64
    /// Seconds since 1970.
    public var modified: Int64
    public var modifiedNanoseconds: Int64

    public init(version: String, size: Int64, modified: Int64, modifiedNanoseconds: Int64 = 0) {
        self.version = version; self.size = size; self.modified = modified; self.modifiedNanoseconds = modifiedNanoseconds
    }
}

/// Bytes read from a slab, with the identity of the slab they were read from.
public struct SlabBytes: Sendable {
    public var bytes: ByteBuffer
    public var identity: SlabIdentity
}

/// A place slabs are kept: files now, S3-compatible object storage later (a range GET per read, the identity
/// from the object's ETag and Last-Modified). Every call blocks: call it off the event loops.
public protocol SlabStorage: Sendable {
    /// The identity of slab `key`, or nil when it does not exist (or is empty).
    func identity(_ key: String) throws -> SlabIdentity?

    /// Up to `length` bytes at `offset` of slab `key`, fewer at the end of the slab; nil when the slab does not
    /// exist.
    func readRange(_ key: String, offset: Int, length: Int) throws -> SlabBytes?

    /// The threads the blocking reads run on: NIO's shared pool (one thread per core) suits local disks; a store
    /// across the network, where a read mostly waits, has a larger pool of its own.
    var blockingPool: NIOThreadPool { get }
}

extension SlabStorage {
    public var blockingPool: NIOThreadPool { .singleton }
}
