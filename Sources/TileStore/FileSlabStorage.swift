import NIOCore
import NIOPosix

/// Slabs as files; keys are absolute paths. Symbolic links (slabs shared between pyramids) are followed by the
/// OS. Each read is one `pread` straight into the buffer that is sent.
public struct FileSlabStorage: SlabStorage {
    public init() {}

    public func identity(_ key: String) throws -> SlabIdentity? {
        var st = stat()
        if stat(key, &st) != 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw TileStoreError.io(key, String(cString: strerror(e)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else { return nil }
        return Self.identity(st)
    }

    public func readRange(_ key: String, offset: Int, length: Int) throws -> SlabBytes? {
        let fd = open(key, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw TileStoreError.io(key, String(cString: strerror(e)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TileStoreError.io(key, String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else { return nil }
        var buf = ByteBufferAllocator().buffer(capacity: max(length, 0))
        var total = 0
        while total < length {
            var failure: Int32 = 0
            let n = buf.writeWithUnsafeMutableBytes(minimumWritableBytes: length - total) { ptr -> Int in
                let r = pread(fd, ptr.baseAddress, min(length - total, ptr.count), off_t(offset + total))
                if r < 0 { failure = errno; return 0 }
                return r
            }
            if failure == EINTR { continue }
            if failure != 0 { throw TileStoreError.io(key, String(cString: strerror(failure))) }
            if n == 0 { break }
            total += n
        }
        return SlabBytes(bytes: buf, identity: Self.identity(st))
    }

    private static func identity(_ st: stat) -> SlabIdentity {
        SlabIdentity(version: "\(st.st_dev):\(st.st_ino)", size: Int64(st.st_size),
                     modified: Int64(st.st_mtim.tv_sec), modifiedNanoseconds: Int64(st.st_mtim.tv_nsec))
    }
}
