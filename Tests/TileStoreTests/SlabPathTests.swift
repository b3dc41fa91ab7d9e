import Testing
@testable import TileStore

@Suite struct SlabPathTests {
    @Test(arguments: [
        (3, 5, 0, "35.tif"), (3, 5, 1, "00/35.tif"), (3, 5, 2, "00/00/35.tif"),
        (262, 182, 2, "00/75/A2.tif"), (33, 22, 2, "00/00/XM.tif"), (8304, 5760, 2, "64/EG/O0.tif"),
        (50000, 1234567, 2, "1Q2G/KL/WJ.tif"), (40, 5, 3, "00/00/10/45.tif"),
    ])
    func base36Paths(col: Int, row: Int, depth: Int, expected: String) {
        #expect(SlabPath.file(slabCol: col, slabRow: row, depth: depth) == expected)
    }

    @Test func objectNames() {
        #expect(SlabPath.object(prefix: "LYON/DATA_10", slabCol: 32, slabRow: 22) == "LYON/DATA_10_32_22")
    }

    @Test func tileLocationOfWorkedExample() throws {
        let p = try Pyramid.load(descriptor: Fixtures.descriptor("FRANCE_RELIEF_JPG"))
        let r = PyramidReader(pyramid: p, storage: FileSlabStorage(), indexes: SlabIndexCache())
        let loc = r.location(level: p.level("10")!, col: 524, row: 365)
        #expect(loc.key.hasSuffix("/FRANCE_RELIEF_JPG/DATA/10/00/75/A2.tif"))
        #expect(loc.index == 2)
    }
}
