import Foundation

/// Lays out a slab: header, N offsets, N byte counts, then the tiles (§5): the first at 2048 + 8N, each next
/// one on a 16-byte boundary, nothing after the last. An absent tile has size 0 and the offset of the current
/// write position (as ROK4's pbf2cache writes it).
public enum SlabEncoder {
    public static func encode(header: [UInt8], tiles: [[UInt8]?]) -> [UInt8] {
        precondition(header.count == SlabHeader.size)
        let n = tiles.count
        var offsets = [UInt32](repeating: 0, count: n), sizes = [UInt32](repeating: 0, count: n)
        var pos = SlabHeader.size + 8 * n
        var total = pos
        for (i, t) in tiles.enumerated() {
            offsets[i] = UInt32(pos)
            guard let t, !t.isEmpty else { continue }
            sizes[i] = UInt32(t.count)
            total = pos + t.count
            pos = (pos + t.count + 15) & ~15
        }
        var out = [UInt8](repeating: 0, count: total)
        out.withUnsafeMutableBufferPointer { buf in
            for i in 0..<header.count { buf[i] = header[i] }
            for i in 0..<n {
                put(offsets[i], at: SlabHeader.size + 4 * i, in: buf)
                put(sizes[i], at: SlabHeader.size + 4 * n + 4 * i, in: buf)
            }
            for (i, t) in tiles.enumerated() where sizes[i] > 0 {
                let o = Int(offsets[i])
                t!.withUnsafeBufferPointer { src in
                    UnsafeMutableRawPointer(buf.baseAddress! + o).copyMemory(from: src.baseAddress!, byteCount: src.count)
                }
            }
        }
        return out
    }

    private static func put(_ v: UInt32, at o: Int, in buf: UnsafeMutableBufferPointer<UInt8>) {
        buf[o] = UInt8(v & 0xFF); buf[o + 1] = UInt8((v >> 8) & 0xFF)
        buf[o + 2] = UInt8((v >> 16) & 0xFF); buf[o + 3] = UInt8(v >> 24)
    }

    /// The tiles of a slab's bytes (nil for size 0), the inverse of `encode`. Used to build a level from the
    /// level below and by tests.
    public static func decode(_ slab: [UInt8], tiles n: Int) -> [[UInt8]?]? {
        guard slab.count >= SlabHeader.size + 8 * n, slab[0] == 0x49, slab[1] == 0x49 else { return nil }
        func u32(_ o: Int) -> Int { Int(slab[o]) | Int(slab[o + 1]) << 8 | Int(slab[o + 2]) << 16 | Int(slab[o + 3]) << 24 }
        var out: [[UInt8]?] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            let off = u32(SlabHeader.size + 4 * i), size = u32(SlabHeader.size + 4 * n + 4 * i)
            guard size > 0 else { out.append(nil); continue }
            guard off + size <= slab.count else { return nil }
            out.append(Array(slab[off ..< off + size]))
        }
        return out
    }
}

public enum SlabWriteError: Error, CustomStringConvertible {
    case io(String, String)
    public var description: String {
        switch self { case .io(let path, let m): "cannot write \(path): \(m)" }
    }
}

/// Files written atomically: to a temporary name beside the target, then renamed, so a reader (or a resumed
/// build) never sees half a slab.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = dir + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SlabWriteError.io(path, String(cString: strerror(errno))) }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let r = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if r <= 0 { if errno == EINTR { continue }; return false }
                written += r
            }
            return true
        }
        let err = errno
        close(fd)
        guard ok else {
            unlink(tmp)
            throw SlabWriteError.io(path, String(cString: strerror(err)))
        }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw SlabWriteError.io(path, String(cString: strerror(e)))
        }
    }

    public static func write(_ text: String, to path: String) throws { try write(Array(text.utf8), to: path) }
}
