import Foundation
import Geo
import Testing

/// Reads GPKG blobs from the demo GeoPackage with the sqlite3 command-line tool.
func demoBlobs(_ sql: String) throws -> [[UInt8]] {
    let gpkg = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/data/france-demo.gpkg").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    p.arguments = ["-readonly", gpkg, sql]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
        var bytes: [UInt8] = []
        var it = line.utf8.makeIterator()
        func nib(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        while let a = it.next(), let b = it.next() { bytes.append(nib(a) << 4 | nib(b)) }
        return bytes
    }
}

@Suite struct GeoPackageBinaryTests {
    @Test func decodesParisDepartementBlob() throws {
        let blobs = try demoBlobs("select hex(geom) from departements where code = '75'")
        #expect(blobs.count == 1)
        let blob = try #require(blobs.first)
        let header = try blob.withUnsafeBytes { try GeoPackageBinary.header($0) }
        #expect(header.srid == 4326)
        let (srid, g) = try GeoPackageBinary.decode(blob)
        #expect(srid == 4326)
        let geom = try #require(g)
        #expect(geom.type == .multiPolygon)
        let bbox = try #require(geom.bbox)
        // Paris lies within about 2.22..2.47 E, 48.81..48.91 N.
        #expect(bbox.minX > 2.2 && bbox.maxX < 2.5 && bbox.minY > 48.8 && bbox.maxY < 48.95)
        if let env = header.envelope {
            #expect(abs(env.minX - bbox.minX) < 1e-9 && abs(env.maxY - bbox.maxY) < 1e-9)
        }
    }

    @Test func everyRegionBlobDecodes() throws {
        let blobs = try demoBlobs("select hex(geom) from regions")
        #expect(blobs.count == 13)
        for b in blobs {
            let (_, g) = try GeoPackageBinary.decode(b)
            #expect(g?.type == .multiPolygon)
        }
    }

    @Test func rejectsNonGPKG() {
        #expect(throws: (any Error).self) { try GeoPackageBinary.decode([0x01, 0x01, 0, 0, 0, 0, 0, 0, 0]) }
    }
}
