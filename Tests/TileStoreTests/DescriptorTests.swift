import Foundation
import Testing
@testable import TileStore

@Suite struct DescriptorTests {
    @Test func rasterDescriptor() throws {
        let p = try Pyramid.load(descriptor: Fixtures.descriptor("FRANCE_RELIEF_JPG"))
        #expect(p.format == .jpgUInt8)
        #expect(p.tileMatrixSetID == "PM")
        #expect(p.levels.map(\.id) == ["3", "4", "5", "6", "7", "8", "9", "10"])
        #expect(p.raster?.channels == 3)
        #expect(p.raster?.nodata == [255, 255, 255])
        #expect(p.level("10")?.limits == TileLimits(minCol: 524, maxCol: 526, minRow: 363, maxRow: 366))
        guard case .file(let dir, let depth)? = p.level("7")?.storage else { Issue.record("not FILE"); return }
        #expect(dir == Fixtures.rok4.appendingPathComponent("pyramids/FRANCE_RELIEF_JPG/DATA/7").standardizedFileURL.path)
        #expect(depth == 2)
    }

    @Test func vectorDescriptorTables() throws {
        let p = try Pyramid.load(descriptor: Fixtures.descriptor("RHONE_ADMIN_MVT"))
        #expect(p.isVector)
        #expect(p.raster == nil)
        #expect(p.level("5")?.tables.map(\.name) == ["departements"])
        #expect(Set(p.level("12")?.tables.map(\.name) ?? []) == ["departements", "communes"])
        let communes = p.level("12")?.tables.first { $0.name == "communes" }
        #expect(communes?.attributes.contains { $0.name == "code" } == true)
    }

    @Test func rejectsBadDescriptors() {
        let bad = #"{"format":"TIFF_JPG_UINT8","tile_matrix_set":"PM","levels":[]}"#
        #expect(throws: TileStoreError.self) { try Pyramid.parse(Data(bad.utf8), descriptorPath: "/x/A.json") }
        let unknown = #"{"format":"TIFF_FOO","tile_matrix_set":"PM","levels":[]}"#
        #expect(throws: TileStoreError.self) { try Pyramid.parse(Data(unknown.utf8), descriptorPath: "/x/A.json") }
    }

    @Test func tileMatrixSets() throws {
        let pm = try TileMatrixSet.load(Fixtures.tileMatrixSets.appendingPathComponent("PM.json"))
        #expect(pm.crs == "EPSG:3857")
        #expect(pm.matrices.first?.id == "0")
        let m10 = try #require(pm.matrix("10"))
        #expect(abs(m10.cellSize - 152.874056570353) < 1e-9)
        #expect(m10.matrixWidth == 1024)
        let b = m10.bounds(col: 525, row: 365)
        #expect(b.minX < 540901 && 540901 < b.maxX && b.minY < 5742052 && 5742052 < b.maxY)
        let l93 = try TileMatrixSet.load(Fixtures.tileMatrixSets.appendingPathComponent("LAMB93.json"))
        #expect(zip(l93.matrices, l93.matrices.dropFirst()).allSatisfy { $0.cellSize > $1.cellSize })
    }
}
