import Foundation
import NIOCore
import ObjectStorage
import Synchronization
import Testing
@testable import TileStore

/// The fixture pyramids copied into a real S3 server (the radosgw of scripts/ceph-test-cluster.sh) in ROK4's
/// object layout, read through `S3SlabStorage`: every tile of the oracle manifest byte-identical, links
/// followed, missing and replaced slabs handled, errors mapped. Skipped when `ROK4_S3_URL` is not set.
@Suite(.enabled(if: S3Fixture.clusters != nil, "needs ROK4_S3_URL (scripts/ceph-test-cluster.sh start)"), .serialized)
struct S3PyramidLiveTests {
    @Test(arguments: ManifestTests.names)
    func everyTileOfTheManifestFromS3(name: String) async throws {
        let fx = try S3Fixture.shared()
        let registry = TileStoreRegistry(objectStorage: .success(fx.storage))
        let pyramid = try registry.pyramid(descriptor: "s3://\(fx.bucket)/\(name).json", cacheKey: name)
        #expect(pyramid.levels.allSatisfy { $0.storage.typeName == "S3" })
        let reader = try registry.reader(for: pyramid)
        let entry = try ManifestTests.pyramidEntry(name)
        let all = entry["all_tiles_sha256"] as! [String: String]
        for (pos, sha) in all {
            let p = pos.split(separator: "/").map(String.init)
            let tile = try await reader.tile(level: p[0], col: Int(p[1])!, row: Int(p[2])!)
            let bytes = try #require(tile, "tile \(pos) missing").bytes
            #expect(sha256Hex(Array(bytes.readableBytesView)) == sha, "tile \(pos)")
        }
        for s in entry["sample"] as! [[String: Any]] where s["status"] as? String != "tile" {
            let t = try reader.readTile(level: s["level"] as! String, col: s["col"] as! Int, row: s["row"] as! Int)
            #expect(t == nil, "\(s["status"]!) \(s["level"]!)/\(s["col"]!)/\(s["row"]!) is no data")
        }
    }

    @Test func linkedSlabsAreFollowedOnceAndTheirIndexCached() throws {
        let fx = try S3Fixture.shared()
        // LINKED's level 10 slab (262,182) is a link to FRANCE_RELIEF_JPG's; (262,183) a link to nothing.
        _ = try fx.client.put(bucket: fx.bucket, key: "LINKED/DATA_10_262_182", body: Array("SYMLINK#\(fx.bucket)/FRANCE_RELIEF_JPG/DATA_10_262_182".utf8))
        _ = try fx.client.put(bucket: fx.bucket, key: "LINKED/DATA_10_262_183", body: Array("SYMLINK#\(fx.bucket)/GONE/DATA_10_262_183".utf8))
        let original = try fx.reader("FRANCE_RELIEF_JPG")
        let linked = try fx.reader("FRANCE_RELIEF_JPG", prefix: "LINKED")
        for (col, row) in [(524, 364), (525, 364), (524, 365), (525, 365)] {
            let a = try #require(try original.readTile(level: "10", col: col, row: row))
            let b = try #require(try linked.readTile(level: "10", col: col, row: row), "linked tile \(col),\(row)")
            #expect(a.bytes == b.bytes && a.slab == b.slab)
        }
        // One index read for the four tiles of the linked slab.
        #expect(linked.indexes.statistics.misses == 1 && linked.indexes.statistics.hits == 3)
        #expect(try linked.readTile(level: "10", col: 524, row: 366) == nil, "a dangling link is a missing slab")
    }

    @Test func anIndexCostsOneGetAndATileAnother() throws {
        let fx = try S3Fixture.shared()
        let storage = S3SlabStorage(clusters: try #require(S3Fixture.clusters))
        let reader = PyramidReader(pyramid: try fx.pyramid("FRANCE_RELIEF_JPG", prefix: "FRANCE_RELIEF_JPG"), storage: storage,
                                   indexes: SlabIndexCache())
        #expect(try reader.readTile(level: "10", col: 524, row: 365) != nil)
        #expect(storage.requestsSent == 2, "a first look (header and index) and the tile")
        #expect(try reader.readTile(level: "10", col: 525, row: 365) != nil)
        #expect(storage.requestsSent == 3, "the index is cached: the tile only")
        #expect(try reader.readTile(level: "10", col: 526, row: 363) == nil)
        #expect(storage.requestsSent == 4, "a missing slab: one GET")
        #expect(try reader.readTile(level: "10", col: 526, row: 363) == nil)
        #expect(storage.requestsSent == 4, "and not again for a second")
        _ = try fx.client.put(bucket: fx.bucket, key: "COUNTED/DATA_10_262_182", body: Array("SYMLINK#\(fx.bucket)/FRANCE_RELIEF_JPG/DATA_10_262_182".utf8))
        let linked = PyramidReader(pyramid: try fx.pyramid("FRANCE_RELIEF_JPG", prefix: "COUNTED"), storage: storage, indexes: SlabIndexCache())
        #expect(try linked.readTile(level: "10", col: 524, row: 365) != nil)
        #expect(storage.requestsSent == 7, "the link, its target's header and index, the tile")
    }

    @Test func aReplacedSlabIsReadAgain() throws {
        let fx = try S3Fixture.shared()
        let bucket = try S3Fixture.newBucket(fx.client)
        let slab = { (col: Int, row: Int) in
            try Data(contentsOf: URL(fileURLWithPath: Fixtures.rok4.path + "/pyramids/FRANCE_RELIEF_JPG/DATA/10/" + SlabPath.file(slabCol: col, slabRow: row, depth: 2)))
        }
        _ = try fx.client.put(bucket: bucket, key: "R/DATA_10_262_182", body: Array(try slab(262, 182)))
        let storage = fx.storage
        let reader = PyramidReader(pyramid: try fx.pyramid("FRANCE_RELIEF_JPG", bucket: bucket, prefix: "R"), storage: storage, indexes: SlabIndexCache())
        let before = try #require(try reader.readTile(level: "10", col: 524, row: 364))
        // Same key, slab (262,183) under it: the identity cached for 10 s is stale, the tile read sees it and the
        // index is read again. Its first tile is (524,366) of the original pyramid.
        _ = try fx.client.put(bucket: bucket, key: "R/DATA_10_262_182", body: Array(try slab(262, 183)))
        let after = try #require(try reader.readTile(level: "10", col: 524, row: 364))
        let direct = try #require(try fx.reader("FRANCE_RELIEF_JPG").readTile(level: "10", col: 524, row: 366))
        #expect(after.bytes == direct.bytes && after.bytes != before.bytes)
    }

    @Test func wrongCredentialsAndDeadStoresAreErrorsNotNoData() throws {
        let fx = try S3Fixture.shared()
        var wrong = try #require(S3Fixture.clusters?.clusters.first)
        wrong.secretKey = "wrong"
        let denied = PyramidReader(pyramid: try fx.pyramid("FRANCE_RELIEF_JPG", bucket: fx.bucket, prefix: "FRANCE_RELIEF_JPG"),
                                   storage: S3SlabStorage(clusters: try S3Clusters(clusters: [wrong])), indexes: SlabIndexCache())
        let e1 = #expect(throws: TileStoreError.self) { try denied.readTile(level: "10", col: 524, row: 365) }
        guard case .io(let key, let m)? = e1 else { Issue.record("403 is an I/O error: \(String(describing: e1))"); return }
        #expect(key.hasPrefix(fx.bucket) && m.contains("403"))
        let dead = try S3Cluster(url: "http://127.0.0.1:9", accessKey: "k", secretKey: "s")
        let unavailable = PyramidReader(pyramid: denied.pyramid,
                                        storage: S3SlabStorage(clusters: try S3Clusters(clusters: [dead]), timeout: .seconds(1), attempts: 2),
                                        indexes: SlabIndexCache())
        let e2 = #expect(throws: TileStoreError.self) { try unavailable.readTile(level: "10", col: 524, row: 365) }
        guard case .unavailable? = e2 else { Issue.record("a dead store is unavailable: \(String(describing: e2))"); return }
    }
}

/// One bucket holding the three fixture pyramids in ROK4's S3 layout (`NAME.json`, `NAME/DATA_<level>_<col>_<row>`),
/// uploaded once per test run by our own client (the client tests upload with ROK4's pyr2pyr).
final class S3Fixture: Sendable {
    static let clusters: S3Clusters? = try? S3Clusters.fromEnvironment(ProcessInfo.processInfo.environment)
    let client: S3Client
    let bucket: String
    let storage: S3SlabStorage

    private static let made = Mutex<S3Fixture?>(nil)

    static func shared() throws -> S3Fixture {
        try made.withLock { m in
            if let m { return m }
            let f = try S3Fixture()
            m = f
            return f
        }
    }

    private init() throws {
        let clusters = try #require(Self.clusters)
        client = S3Client(cluster: clusters.clusters[0])
        storage = S3SlabStorage(clusters: clusters)
        bucket = try Self.newBucket(client)
        for name in ManifestTests.names {
            let file = try Pyramid.load(descriptor: Fixtures.descriptor(name))
            for level in file.levels {
                guard case .file(let dir, let depth) = level.storage else { continue }
                let l = level.limits
                for sc in (l.minCol / level.tilesPerWidth)...(l.maxCol / level.tilesPerWidth) {
                    for sr in (l.minRow / level.tilesPerHeight)...(l.maxRow / level.tilesPerHeight) {
                        let path = dir + "/" + SlabPath.file(slabCol: sc, slabRow: sr, depth: depth)
                        guard let data = FileManager.default.contents(atPath: path) else { continue }
                        let r = try client.put(bucket: bucket, key: "\(name)/DATA_\(level.id)_\(sc)_\(sr)", body: Array(data))
                        #expect(r.status == 200)
                    }
                }
            }
            _ = try client.put(bucket: bucket, key: "\(name).json", body: try Self.descriptor(name, bucket: bucket, prefix: name))
        }
    }

    /// The fixture descriptor with S3 storage in every level.
    static func descriptor(_ name: String, bucket: String, prefix: String) throws -> [UInt8] {
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixtures.descriptor(name)))) as! [String: Any]
        json["levels"] = (json["levels"] as! [[String: Any]]).map { l in
            var l = l
            l["storage"] = ["type": "S3", "bucket_name": bucket, "image_prefix": "\(prefix)/DATA_\(l["id"] as! String)"]
            return l
        }
        json["mask_format"] = nil
        return Array(try JSONSerialization.data(withJSONObject: json))
    }

    func pyramid(_ name: String, bucket: String? = nil, prefix: String) throws -> Pyramid {
        try Pyramid.parse(Data(try Self.descriptor(name, bucket: bucket ?? self.bucket, prefix: prefix)), descriptorPath: "s3://\(bucket ?? self.bucket)/\(prefix).json")
    }

    func reader(_ name: String, prefix: String? = nil) throws -> PyramidReader {
        PyramidReader(pyramid: try pyramid(name, prefix: prefix ?? name), storage: storage, indexes: SlabIndexCache())
    }

    static func newBucket(_ c: S3Client) throws -> String {
        let name = "tiles-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        #expect(try c.put(bucket: String(name), key: "", body: []).status == 200)
        return String(name)
    }
}
