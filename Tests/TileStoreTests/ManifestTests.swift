import Foundation
import NIOCore
import Testing
@testable import TileStore

/// Every tile of the oracle manifest, read the way the server reads it.
@Suite struct ManifestTests {
    static let names = ["FRANCE_RELIEF_JPG", "RHONE_RGBA_PNG", "RHONE_ADMIN_MVT"]

    static func pyramidEntry(_ name: String) throws -> [String: Any] {
        let m = try Fixtures.manifest()
        let ps = m["pyramids"] as! [[String: Any]]
        return try #require(ps.first { $0["name"] as? String == name })
    }

    @Test(arguments: names)
    func everyTileIsByteIdentical(name: String) async throws {
        let entry = try Self.pyramidEntry(name)
        let reader = PyramidReader(pyramid: try Pyramid.load(descriptor: Fixtures.descriptor(name)),
                                   storage: FileSlabStorage(), indexes: SlabIndexCache())
        let all = entry["all_tiles_sha256"] as! [String: String]
        #expect(!all.isEmpty)
        for (pos, sha) in all {
            let p = pos.split(separator: "/").map(String.init)
            let tile = try await reader.tile(level: p[0], col: Int(p[1])!, row: Int(p[2])!)
            let bytes = try #require(tile, "tile \(pos) missing").bytes
            #expect(sha256Hex(Array(bytes.readableBytesView)) == sha, "tile \(pos)")
        }
    }

    @Test(arguments: names)
    func samplesHaveTheRightStatus(name: String) throws {
        let entry = try Self.pyramidEntry(name)
        let reader = PyramidReader(pyramid: try Pyramid.load(descriptor: Fixtures.descriptor(name)),
                                   storage: FileSlabStorage(), indexes: SlabIndexCache())
        var seen: Set<String> = []
        for s in entry["sample"] as! [[String: Any]] {
            let level = s["level"] as! String, col = s["col"] as! Int, row = s["row"] as! Int
            let status = s["status"] as! String
            seen.insert(status)
            let tile = try reader.readTile(level: level, col: col, row: row)
            if status == "tile" {
                let t = try #require(tile, "\(level)/\(col)/\(row)")
                #expect(t.offset == s["offset"] as? Int)
                #expect(t.bytes.readableBytes == s["size"] as? Int)
                #expect(sha256Hex(Array(t.bytes.readableBytesView)) == s["sha256"] as? String)
                let loc = reader.location(level: reader.pyramid.level(level)!, col: col, row: row)
                #expect(loc.key.hasSuffix("/" + name + "/" + (s["slab"] as! String)))
                #expect(loc.index == s["index_in_slab"] as? Int)
            } else {
                #expect(tile == nil, "\(status) \(level)/\(col)/\(row) should be no data")
            }
        }
        #expect(seen.contains("tile") && seen.contains("out_of_limits"))
    }
}
