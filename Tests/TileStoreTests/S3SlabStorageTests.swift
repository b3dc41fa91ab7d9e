import Foundation
import NIOCore
import ObjectStorage
import Testing
@testable import TileStore

/// What S3 storage decides without a server: links, errors, clusters of descriptors and slabs.
@Suite struct S3SlabStorageTests {
    func buffer(_ s: String) -> ByteBuffer { var b = ByteBuffer(); b.writeString(s); return b }

    @Test func symlinkObjectsAsROK4WritesThem() {
        #expect(S3SlabStorage.symlinkTarget(buffer("SYMLINK#pyramids/OTHER/DATA_10_32_22"), linkHost: nil)
                == S3Location(bucket: "pyramids", host: nil, key: "OTHER/DATA_10_32_22"))
        // A target on the link's cluster when it names none; a trailing newline is tolerated.
        #expect(S3SlabStorage.symlinkTarget(buffer("SYMLINK#b/P/DATA_3_0_0\n"), linkHost: "s3.example.org")
                == S3Location(bucket: "b", host: "s3.example.org", key: "P/DATA_3_0_0"))
        #expect(S3SlabStorage.symlinkTarget(buffer("SYMLINK#b@h2/P/DATA_3_0_0"), linkHost: "h1")?.host == "h2")
        for notLink in ["SYMLINK#", "SYMLINK#nokey", "II*\0 not a link", "symlink#b/k", ""] {
            #expect(S3SlabStorage.symlinkTarget(buffer(notLink), linkHost: nil) == nil, "\(notLink)")
        }
    }

    @Test func s3ErrorsBecomeTileStoreErrors() {
        #expect(S3SlabStorage.tileStoreError(.unavailable("GET h/b/k: 503"), key: "b/k") == .unavailable("b/k", "object store unavailable: GET h/b/k: 503"))
        guard case .io("b/k", _) = S3SlabStorage.tileStoreError(.denied("GET h/b/k: 403 AccessDenied"), key: "b/k") else {
            Issue.record("403 is an I/O error"); return
        }
        guard case .io = S3SlabStorage.tileStoreError(.unexpected("400"), key: "b/k") else { Issue.record("400 is an I/O error"); return }
    }

    @Test func levelsTakeTheDescriptorsCluster() throws {
        let data = Data("""
        {"format": "TIFF_JPG_UINT8", "tile_matrix_set": "PM", "raster_specifications": {"channels": 3, "nodata": "255,255,255"},
         "levels": [{"id": "3", "tiles_per_width": 2, "tiles_per_height": 2,
                     "tile_limits": {"min_col": 0, "max_col": 7, "min_row": 0, "max_row": 7},
                     "storage": {"type": "S3", "bucket_name": "pyr", "image_prefix": "P/DATA_3"}},
                    {"id": "4", "tiles_per_width": 2, "tiles_per_height": 2,
                     "tile_limits": {"min_col": 0, "max_col": 15, "min_row": 0, "max_row": 15},
                     "storage": {"type": "S3", "bucket_name": "pyr@other:7480", "image_prefix": "P/DATA_4"}}]}
        """.utf8)
        let p = try Pyramid.parse(data, descriptorPath: "s3://pyr@s3.example.org/P.json")
        #expect(p.name == "P")
        let on = p.onCluster(of: S3Location(url: "s3://pyr@s3.example.org/P.json")!)
        #expect(on.levels[0].storage == .object(type: "S3", tray: "pyr@s3.example.org", prefix: "P/DATA_3"))
        #expect(on.levels[1].storage == .object(type: "S3", tray: "pyr@other:7480", prefix: "P/DATA_4"))
        #expect(p.onCluster(of: S3Location(url: "s3://pyr/P.json")!) == p)
        let r = PyramidReader(pyramid: on, storage: FileSlabStorage(), indexes: SlabIndexCache())
        #expect(r.location(level: on.levels[0], col: 5, row: 2).key == "pyr@s3.example.org/P/DATA_3_2_1")
    }

    @Test func s3PyramidsNeedTheEnvironment() throws {
        let registry = TileStoreRegistry(objectStorage: nil)
        let p = try Pyramid.parse(Data("""
        {"format": "TIFF_PBF_MVT", "tile_matrix_set": "PM", "levels": [{"id": "3", "tiles_per_width": 2, "tiles_per_height": 2,
         "tile_limits": {"min_col": 0, "max_col": 7, "min_row": 0, "max_row": 7}, "tables": [],
         "storage": {"type": "S3", "bucket_name": "pyr", "image_prefix": "P/DATA_3"}}]}
        """.utf8), descriptorPath: "s3://pyr/P.json")
        #expect(throws: TileStoreError.self) { try registry.reader(for: p) }
        #expect(throws: TileStoreError.self) { try registry.pyramid(descriptor: "s3://pyr/P.json", cacheKey: "x") }
        let bad = TileStoreRegistry.objectStorageFromEnvironment(["ROK4_S3_URL": "http://a,http://b", "ROK4_S3_KEY": "k", "ROK4_S3_SECRETKEY": "s"])
        guard case .failure? = bad else { Issue.record("inconsistent lists must fail"); return }
        #expect(TileStoreRegistry.objectStorageFromEnvironment([:]) == nil)
    }
}
