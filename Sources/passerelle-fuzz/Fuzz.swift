import Filters
import Foundation
import OGCCore
import Styling

/// A seeded, mutation-based fuzzer for the parsers that take client input: the KVP query string (with the
/// bbox and CRS parsers behind it), the FES/Filter XML parser, the CQL parser and the SLD parser.
///
///     passerelle-fuzz TARGET SECONDS [SEED-DIR]
///
/// Every input is a mutation of a seed (bit flips, byte insertions and deletions, chunk duplication, splices
/// with another seed, interesting tokens). Parsers may throw — that is their job; a crash or a hang is a
/// finding: the input being parsed is always in `fuzz-<target>.current`, kept after a crash for replay.
@main
struct Fuzz {
    static let tokens: [String] = ["&", "=", "%", "%FF", "%00", "<", ">", "</", "/>", "'", "\"", "(", ")", ",", ";", "..",
                                   "NaN", "inf", "-1e309", "1e309", "<!DOCTYPE x [<!ENTITY a \"b\">]>", "&a;", "<![CDATA[",
                                   "urn:ogc:def:crs:EPSG::4326", "EPSG:", "BBOX", "AND", "OR", "NOT", "LIKE", "BETWEEN",
                                   "IS NULL", "\u{0}", "\u{FFFF}", "é", "𝔘", String(repeating: "(", count: 200)]

    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 3, let seconds = Double(args[2]) else {
            print("usage: passerelle-fuzz kvp|filter|cql|sld SECONDS [SEED-DIR]")
            exit(2)
        }
        let target = args[1]
        let seedDir = args.count > 3 ? args[3] : "Tests/FuzzSeeds/\(target)"
        var seeds: [[UInt8]] = []
        if let names = try? FileManager.default.contentsOfDirectory(atPath: seedDir) {
            for n in names.sorted() {
                if let d = FileManager.default.contents(atPath: seedDir + "/" + n) { seeds.append(Array(d)) }
            }
        }
        if seeds.isEmpty { seeds = [Array("a".utf8)] }
        let run: ([UInt8]) -> Void
        switch target {
        case "kvp": run = fuzzKVP
        case "filter": run = fuzzFilter
        case "cql": run = fuzzCQL
        case "sld": run = fuzzSLD
        default:
            print("unknown target \(target)")
            exit(2)
        }
        let current = "fuzz-\(target).current"
        var rng = SplitMix(seed: UInt64(ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "") ?? 0x5EED)
        let deadline = Date().addingTimeInterval(seconds)
        var count = 0, slowest = 0.0
        while Date() < deadline {
            var input = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(rng.next() % 4)) { mutate(&input, seeds: seeds, rng: &rng) }
            FileManager.default.createFile(atPath: current, contents: Data(input))
            let start = Date()
            run(input)
            let t = Date().timeIntervalSince(start)
            if t > slowest { slowest = t }
            if t > 2 {
                print("SLOW: \(target) took \(t) s; input kept in \(current).slow")
                try? FileManager.default.copyItem(atPath: current, toPath: current + ".slow")
            }
            count += 1
        }
        try? FileManager.default.removeItem(atPath: current)
        print("\(target): \(count) inputs in \(Int(seconds)) s, no crash; slowest \(String(format: "%.3f", slowest)) s")
    }

    static func mutate(_ b: inout [UInt8], seeds: [[UInt8]], rng: inout SplitMix) {
        let n = b.count
        switch rng.next() % 7 {
        case 0 where n > 0: b[Int(rng.next() % UInt64(n))] ^= UInt8(1 << (rng.next() % 8))
        case 1: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: Int(rng.next() % UInt64(n + 1)))
        case 2 where n > 1:
            let i = Int(rng.next() % UInt64(n)), len = min(n - i, 1 + Int(rng.next() % 16))
            b.removeSubrange(i ..< i + len)
        case 3 where n > 1:
            let i = Int(rng.next() % UInt64(n)), len = min(n - i, 1 + Int(rng.next() % 64))
            b.insert(contentsOf: b[i ..< i + len], at: Int(rng.next() % UInt64(n + 1)))
        case 4:
            let t = tokens[Int(rng.next() % UInt64(tokens.count))]
            b.insert(contentsOf: Array(t.utf8), at: Int(rng.next() % UInt64(n + 1)))
        case 5:
            let other = seeds[Int(rng.next() % UInt64(seeds.count))]
            if !other.isEmpty {
                let cut = Int(rng.next() % UInt64(n + 1)), from = Int(rng.next() % UInt64(other.count))
                b = Array(b[..<cut]) + Array(other[from...])
            }
        default:
            if n > 0 { b[Int(rng.next() % UInt64(n))] = UInt8(truncatingIfNeeded: rng.next()) }
        }
        if b.count > 256 * 1024 { b.removeLast(b.count - 256 * 1024) }
    }

    static func fuzzKVP(_ b: [UInt8]) {
        let s = String(decoding: b, as: UTF8.self)
        guard let kvp = try? KVP(query: s) else { return }
        for item in kvp.items {
            _ = try? BBox.parse(item.value, allowCRSSuffix: true)
            _ = CRSName.parse(item.value)
            _ = try? kvp.integer(item.name)
            _ = kvp.list(item.name)
        }
    }

    static func fuzzFilter(_ b: [UInt8]) { _ = try? FilterParser.parse(xml: b) }

    static func fuzzCQL(_ b: [UInt8]) { _ = try? CQLParser.parse(String(decoding: b, as: UTF8.self)) }

    static func fuzzSLD(_ b: [UInt8]) {
        var p = SLDParser()
        _ = try? p.parse(b)
    }
}

/// A small, fast, seedable random generator (reproducible runs).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
