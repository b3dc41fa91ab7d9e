import Foundation
import Logging
import Testing
@testable import Ingest

/// The checks, run on small files written by the tests (check-only: no database).
@Suite struct ImportChecksTests {
    static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }

    static func check(_ paths: [String], configure: (inout ImportOptions) -> Void = { _ in }) async -> ImportReport {
        var options = ImportOptions(sources: paths, storedData: "test")
        options.checkOnly = true
        configure(&options)
        return await Importer(options: options, logger: Logger(label: "test")).run(connection: nil, connectionEnv: "X").report
    }

    static func featureCollection(_ features: [String]) -> String {
        #"{"type": "FeatureCollection", "features": ["# + features.joined(separator: ",") + "]}"
    }

    static func feature(_ props: String, _ geometry: String) -> String {
        #"{"type": "Feature", "properties": {"# + props + #"}, "geometry": "# + geometry + "}"
    }

    static let square = #"{"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8], [4.8, 45.8], [4.8, 45.7]]]}"#
    static let bowtie = #"{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}"#
    static let multi = #"{"type": "MultiPolygon", "coordinates": [[[[5, 45], [5.1, 45], [5.1, 45.1], [5, 45]]]]}"#

    @Test func aCleanLayerPassesEveryCheckAndIsPromotedToMulti() async throws {
        let path = try Self.file("lyon.geojson", Self.featureCollection([
            Self.feature(#""nom": "Lyon", "Département": "69""#, Self.square),
            Self.feature(#""nom": "Autre", "Département": "01""#, Self.multi),
        ]))
        let r = await Self.check([path])
        #expect(r.outcome == .checked, "\(r.checks)")
        #expect(r.failures.isEmpty)
        let layer = try #require(r.layers.first)
        #expect(layer.features == 2)
        #expect(layer.geometryType == "MultiPolygon")
        #expect(layer.srid == 4326)
        #expect(layer.renamed == ["Département": "departement"])
        #expect(r.checks.contains { $0.check == .validity && $0.status == .pass })
        #expect(r.checks.contains { $0.check == .attributeNames && $0.status == .warning && $0.field == "Département" })
    }

    @Test func anInvalidPolygonIsRefusedWithItsFeatureAndReason() async throws {
        let path = try Self.file("bad.geojson", Self.featureCollection([
            Self.feature(#""nom": "ok""#, Self.square),
            Self.feature(#""nom": "bowtie""#, Self.bowtie),
        ]))
        let r = await Self.check([path])
        #expect(r.outcome == .refused)
        let f = try #require(r.failures.first { $0.check == .validity })
        #expect(f.feature == 2)
        #expect(f.reason.contains("Self-intersection"))
        #expect(r.layers.first?.invalidGeometries == 1)

        let repaired = await Self.check([path]) { $0.makeValid = true }
        #expect(repaired.outcome == .checked)
        #expect(repaired.warnings.contains { $0.check == .validity && $0.feature == 2 })
    }

    @Test func mixedGeometryFamiliesAreRefused() async throws {
        let path = try Self.file("mixed.geojson", Self.featureCollection([
            Self.feature(#""n": 1"#, Self.square),
            Self.feature(#""n": 2"#, #"{"type": "Point", "coordinates": [4.8, 45.7]}"#),
        ]))
        let r = await Self.check([path])
        #expect(r.outcome == .refused)
        #expect(r.failures.contains { $0.check == .geometryType && $0.feature == 2 })
    }

    @Test func anEmptyLayerIsRefused() async throws {
        let path = try Self.file("empty.geojson", Self.featureCollection([]))
        let r = await Self.check([path])
        #expect(r.outcome == .refused)
        #expect(r.failures.contains { $0.check == .notEmpty })
    }

    @Test func latin1TextIsRefusedUnlessItsEncodingIsDeclared() async throws {
        // "Créteil" in ISO-8859-1: é is the single byte 0xE9.
        let csv: [UInt8] = Array("id,nom,wkt\n1,Cr".utf8) + [0xE9] + Array("teil,POINT (2.45 48.79)\n".utf8)
        let path = try Self.file("latin1.csv", csv)
        let r = await Self.check([path]) { $0.srs = "EPSG:4326" }
        #expect(r.outcome == .refused, "\(r.checks)")
        #expect(r.failures.contains { $0.check == .encoding && $0.field == "nom" && $0.feature == 1 })

        let declared = await Self.check([path]) { $0.srs = "EPSG:4326"; $0.encoding = "LATIN1" }
        #expect(declared.outcome == .checked, "\(declared.checks)")
    }

    @Test func aLayerWithoutCRSIsRefusedUntilOneIsGiven() async throws {
        let path = try Self.file("points.csv", "id,lon,lat,order\n1,4.83,45.76,3\n2,2.35,48.85,4\n")
        let r = await Self.check([path])
        #expect(r.outcome == .refused)
        #expect(r.failures.contains { $0.check == .crs && $0.reason.contains("no CRS") })

        let given = await Self.check([path]) { $0.srs = "EPSG:4326" }
        #expect(given.outcome == .checked, "\(given.checks)")
        let layer = try #require(given.layers.first)
        #expect(layer.geometryType == "Point")
        // The reserved word is renamed; the lon/lat columns became the geometry.
        #expect(layer.renamed["order"] == "order_")
        #expect(layer.columns.map(\.name).contains("order_"))
    }

    @Test func anUnreadableFileIsReportedAsSuch() async throws {
        let path = try Self.file("notes.geojson", "this is not json")
        let r = await Self.check([path])
        #expect(r.outcome == .refused)
        #expect(r.failures.contains { $0.check == .readable && $0.reason.contains("notes.geojson") })
    }
}
