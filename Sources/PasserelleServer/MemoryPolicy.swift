import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How the process asks glibc's allocator to give memory back. By default glibc raises its mmap threshold after
/// the first large free, so the buffers of one big request (a 4096×4096 map, a long WFS answer) end up in the heap
/// and stay resident after the request; and each thread may get its own arena. Fixed thresholds make every
/// allocation of 1 MiB or more its own mapping, returned to the system when freed, and trim the heap's top beyond
/// 1 MiB; four arenas bound fragmentation across threads; and every 2 seconds `malloc_trim` gives back the free
/// pages left inside the heaps (a burst of requests leaves many).
public enum MemoryPolicy {
    // mallopt(3) parameters (malloc.h, not in Swift's Glibc module).
    private static let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3, arenaMax: Int32 = -8

    public static func apply() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(mmapThreshold, 1 << 20)
        _ = mallopt(trimThreshold, 1 << 20)
        _ = mallopt(arenaMax, 4)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let trimSymbol = dlsym(nil, "malloc_trim") else { return }
        let trim = unsafeBitCast(trimSymbol, to: MallocTrim.self)
        let t = Thread {
            while true {
                Thread.sleep(forTimeInterval: 2)
                _ = trim(0)
            }
        }
        t.name = "passerelle-malloc-trim"
        t.start()
        #endif
    }
}
