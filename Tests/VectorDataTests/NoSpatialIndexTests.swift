import Filters
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Geo
import OGCCore
import Testing
@testable import VectorData

/// Runs a command and waits for it (posix_spawn + waitpid: Foundation's Process can miss the exit inside
/// async tests on Linux).
func runCommand(_ args: [String]) async -> Int32 {
    await Task.detached {
        var pid: pid_t = 0
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        guard posix_spawn(&pid, args[0], nil, nil, &cargs, environ) == 0 else { return -1 }
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        return st
    }.value
}

@Suite struct NoSpatialIndexTests {
    /// A GeoPackage whose rtree was dropped gives the same answers (envelopes tested row by row).
    @Test func bboxAndSpatialFiltersWithoutRTree() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vd-nortree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("copy.gpkg").path
        try FileManager.default.copyItem(atPath: demoGPKG, toPath: copy)
        let status = await runCommand(["/usr/bin/sqlite3", copy, """
            SELECT 'x'; DROP TRIGGER IF EXISTS rtree_departements_geom_insert;
            DROP TABLE rtree_departements_geom;
            """])
        #expect(status == 0)
        let bare = GeoPackageSource(path: copy)
        let indexed = GeoPackageSource(path: demoGPKG)
        let q = FeatureQuery(table: "departements", bbox: BBox(minX: 2.0, minY: 48.5, maxX: 2.8, maxY: 49.1), geometry: .none)
        let a = try await bare.collect(q).map(\.id), b = try await indexed.collect(q).map(\.id)
        #expect(a == b && !a.isEmpty)
        let centre = Geometry.polygon([[Coord(2.34, 48.85), Coord(2.36, 48.85), Coord(2.36, 48.87), Coord(2.34, 48.87), Coord(2.34, 48.85)]])
        let f = FeatureQuery(table: "departements", filter: .spatial(.intersects, property: nil, geometry: centre, srid: 4326), geometry: .none)
        #expect(try await bare.count(f) == 1)
    }
}
