import Foundation
import Testing
import TileStore
@testable import Processing
@testable import PyramidWriter

@Suite struct ProcessingUnitTests {
    @Test func tableSpecs() throws {
        let t = try VectorTableSpec.parse("communes:8:12:code,nom")
        #expect(t.name == "communes" && t.topLevel == 8 && t.bottomLevel == 12 && t.attributes == ["code", "nom"])
        #expect(try VectorTableSpec.parse("departements:5:12").attributes == nil)
        #expect(try VectorTableSpec.parse("departements:5:12:*").attributes == nil)
        #expect(throws: ProcessingError.self) { try VectorTableSpec.parse("communes:12:8") }
        #expect(throws: ProcessingError.self) { try VectorTableSpec.parse("communes") }
    }

    @Test func getMapURLs() {
        var r = GetMapRequest(url: "http://h/wms?map=x", layers: "a,b", format: "image/png", crs: "EPSG:3857", extras: "TRANSPARENT=TRUE",
                              latLonAxes: false, retries: 0, timeout: 5, threshold: 0)
        let b = BBox(minX: 1, minY: 2, maxX: 3, maxY: 4)
        let u = r.url(for: b, width: 256, height: 512)
        #expect(u.hasPrefix("http://h/wms?map=x&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=a,b&CRS=EPSG:3857&BBOX=1.0,2.0,3.0,4.0"))
        #expect(u.contains("&WIDTH=256&HEIGHT=512&FORMAT=image/png&STYLES=&TRANSPARENT=TRUE"))
        // WMS 1.3.0 in a lat/lon CRS: latitude first.
        r.latLonAxes = true; r.crs = "EPSG:4326"; r.extras = "STYLES=s"
        let v = r.url(for: b, width: 1, height: 1)
        #expect(v.contains("BBOX=2.0,1.0,4.0,3.0") && v.hasSuffix("&STYLES=s") && !v.contains("STYLES=&"))
    }

    @Test func resamplingNames() throws {
        let n = try RasterPyramidBuilder.gdalResampling("nearest"), l = try RasterPyramidBuilder.gdalResampling("linear")
        let c = try RasterPyramidBuilder.gdalResampling("bicubic")
        #expect([n.warp, n.descriptor, l.warp, l.descriptor, c.warp, c.descriptor] == ["near", "nn", "bilinear", "linear", "cubic", "bicubic"])
        #expect(throws: ProcessingError.self) { try RasterPyramidBuilder.gdalResampling("spline") }
    }

    @Test func nestingOfTileMatrices() throws {
        let pm = try TileMatrixSet.load(Repo.tileMatrixSets.appendingPathComponent("PM.json"))
        #expect(RasterPyramidBuilder.nests(upper: pm.matrix("9")!, lower: pm.matrix("10")!))
        #expect(!RasterPyramidBuilder.nests(upper: pm.matrix("8")!, lower: pm.matrix("10")!))
        let l93 = try TileMatrixSet.load(Repo.tileMatrixSets.appendingPathComponent("LAMB93.json"))
        // LAMB93: levels 0 and 1 do not halve (104579.22 vs 52277.53 m/px); 12 and 13 do, within 0.02 px over
        // the whole matrix.
        #expect(!RasterPyramidBuilder.nests(upper: l93.matrix("0")!, lower: l93.matrix("1")!))
        #expect(RasterPyramidBuilder.nests(upper: l93.matrix("12")!, lower: l93.matrix("13")!))
    }

    @Test func inputListsAndFolders() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("in-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("imgs"), withIntermediateDirectories: true)
        for f in ["b.tif", "a.jp2", "notes.txt.bak", "c.TIF"] { try Data().write(to: dir.appendingPathComponent("imgs/\(f)")) }
        try "# a list\nimgs/a.jp2\n\n/abs/x.tif\n".write(to: dir.appendingPathComponent("l.txt"), atomically: true, encoding: .utf8)
        let folder = try InputFiles.expand([dir.appendingPathComponent("imgs").path]).map { ($0 as NSString).lastPathComponent }
        #expect(folder == ["a.jp2", "b.tif", "c.TIF"])
        let list = try InputFiles.expand([dir.appendingPathComponent("l.txt").path])
        #expect(list == [dir.appendingPathComponent("imgs/a.jp2").path, "/abs/x.tif"])
        #expect(throws: ProcessingError.self) { try InputFiles.expand([dir.appendingPathComponent("none").path]) }
    }
}
