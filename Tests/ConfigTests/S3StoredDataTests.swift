import Config
import Foundation
import Testing

/// Pyramid stored data in S3, as the platform's API writes it (seed 002: `{"type": "S3", "labels": []}`) plus the
/// descriptor object's path.
@Suite struct S3StoredDataTests {
    static func pyramid(_ storage: String) -> String {
        #"""
        {"name": "Orthos Corse", "type": "ROK4-PYRAMID-RASTER", "srs": "EPSG:3857", "storage": \#(storage),
         "status": "GENERATED", "size": 66724708,
         "type_infos": {"tms": "PM", "levels": ["11", "12"], "channels_format": "UINT8", "channels_number": 3,
                        "compression": "JPG", "nodata_value": "255,255,255"}}
        """#
    }

    @Test func s3PyramidsAreAcceptedWithTheirPathKeptAsWritten() async throws {
        let c = try ScratchConfig.minimal()
        try c.write("stored_data/s3.json", Self.pyramid(#"{"type": "S3", "labels": [], "path": "s3://pyramids/ORTHO.json"}"#))
        try c.write("stored_data/s3host.json", Self.pyramid(#"{"type": "S3", "labels": [], "path": "s3://pyramids@127.0.0.1:7480/a/ORTHO.json"}"#))
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues == [])
        #expect(snap.storedData["s3"]?.storage.path == "s3://pyramids/ORTHO.json")
        #expect(snap.storedData["s3host"]?.storage.path == "s3://pyramids@127.0.0.1:7480/a/ORTHO.json")
        #expect(snap.storedData["s3"]?.storage.labels == [])
    }

    @Test func badPathsAndOtherStoragesAreRefused() async throws {
        let c = try ScratchConfig.minimal()
        try c.write("stored_data/nopath.json", Self.pyramid(#"{"type": "S3", "labels": []}"#))
        try c.write("stored_data/file.json", Self.pyramid(#"{"type": "S3", "path": "pyramids/ORTHO.json"}"#))
        try c.write("stored_data/nokey.json", Self.pyramid(#"{"type": "S3", "path": "s3://pyramids"}"#))
        try c.write("stored_data/nohost.json", Self.pyramid(#"{"type": "S3", "path": "s3://pyramids@/ORTHO.json"}"#))
        try c.write("stored_data/fs.json", Self.pyramid(#"{"type": "FILESYSTEM", "path": "s3://pyramids/ORTHO.json"}"#))
        try c.write("stored_data/ceph.json", Self.pyramid(#"{"type": "CEPH", "path": "ceph://pool/ORTHO.json"}"#))
        let snap = await ConfigLoader(directory: c.url).load()
        for id in ["nopath", "file", "nokey", "nohost", "fs", "ceph"] {
            #expect(snap.storedData[id] == nil, "\(id)")
            #expect(snap.issues.contains { $0.file == "stored_data/\(id).json" && $0.path.hasPrefix("$.storage") }, "\(id)")
        }
    }
}
