import Config
import Foundation
import Styling
import Testing
@testable import Publishing

@Suite struct PublisherTests {
    /// A snapshot with open and private WFS/WMS/WMTS endpoints, an imported VECTOR-DB and a raster pyramid.
    static func snapshot() -> ConfigSnapshot {
        var s = ConfigSnapshot(directory: URL(fileURLWithPath: "/tmp/none"))
        func endpoint(_ id: String, _ type: ServiceType, _ open: Bool, _ urls: [(String, String)]) {
            s.endpoints[id] = Endpoint(id: id, name: id, type: type, urls: urls.map { EndpointURL(type: $0.0, url: $0.1) }, open: open)
        }
        endpoint("wfs", .wfs, true, [("WFS", "/wfs")])
        endpoint("private-wfs", .wfs, false, [("WFS", "/private/wfs")])
        endpoint("wms-v", .wmsVector, true, [("WMS", "/wms-v")])
        endpoint("wmts", .wmtsTms, true, [("WMTS", "/wmts"), ("TMS", "/tms/1.0.0")])
        var communes = Relation(name: "communes", attributes: [], primaryKey: ["fid"])
        communes.attributes = ["fid": "bigint", "nom": "character varying", "geom": "geometry(MultiPolygon,4326)"]
        var gares = Relation(name: "gares", attributes: [], primaryKey: ["fid"])
        gares.attributes = ["fid": "bigint", "nom": "character varying", "geom": "geometry(Point,4326)"]
        var noGeometry = Relation(name: "codes", attributes: [], primaryKey: ["fid"])
        noGeometry.attributes = ["fid": "bigint", "code": "character varying"]
        var vector = StoredData(id: "france", name: "France", type: .vectorDB,
                                storage: Storage(type: "POSTGRESQL", connectionEnv: "PG", schema: "public"),
                                typeInfos: StoredDataTypeInfos(relations: [communes, gares, noGeometry]))
        vector.srs = "EPSG:4326"
        vector.extent = GeoJSONPolygon(GeoBBox(west: 4.2, south: 45.4, east: 5.2, north: 46.3))
        s.storedData["france"] = vector
        var infos = StoredDataTypeInfos()
        infos.tms = "PM"; infos.levels = ["5", "6", "7", "10", "8", "9"]
        s.storedData["relief"] = StoredData(id: "relief", name: "Relief", type: .rok4PyramidRaster,
                                            storage: Storage(type: "FILESYSTEM", path: "/x.json"), typeInfos: infos)
        return s
    }

    @Test func wfsHasOneFeatureTypePerTableWithTitles() throws {
        var r = PublicationRequest(kind: .wfs, storedData: "france")
        r.tableTitles = ["communes": "Communes de France"]
        let p = try Publisher.plan(r, in: Self.snapshot())
        #expect(p.configuration.id == "france-wfs")
        #expect(p.configuration.type == .wfs)
        #expect(p.configuration.layerName == "france")
        #expect(p.offering == Offering(id: "france-wfs", configuration: "france-wfs", endpoint: "wfs", open: true))
        let relations = try #require(p.configuration.typeInfos.usedData.first?.relations)
        #expect(relations.map(\.table) == ["communes", "gares", "codes"])
        #expect(relations.map(\.title) == ["Communes de France", "gares", "codes"])
        #expect(p.configuration.typeInfos.bbox == GeoBBox(west: 4.2, south: 45.4, east: 5.2, north: 46.3))
        #expect(p.capabilitiesURL(baseURL: "http://localhost:8080/") == "http://localhost:8080/wfs?SERVICE=WFS&REQUEST=GetCapabilities")
        #expect(p.styles.isEmpty)
    }

    @Test func wmsVectorDrawsGeometryTablesWithAParsableStyleEach() throws {
        let p = try Publisher.plan(PublicationRequest(kind: .wmsVector, storedData: "france"), in: Self.snapshot())
        let relations = try #require(p.configuration.typeInfos.usedData.first?.relations)
        // Points on top of polygons; the table without geometry is left out.
        #expect(relations.map(\.table) == ["gares", "communes"])
        #expect(relations.map(\.style) == ["france_gares", "france_communes"])
        #expect(p.configuration.typeInfos.title == "France")
        #expect(p.configuration.typeInfos.abstract != nil)
        #expect(p.configuration.typeInfos.crs?.first == "EPSG:4326")
        for (name, sld) in p.styles {
            var parser = SLDParser()
            let doc = try parser.parse(Array(sld.utf8))
            #expect(doc.layers.first?.name == name)
            #expect(doc.layers.first?.defaultStyle?.rules.count == 1)
        }
        #expect(p.styles["france_gares"]?.contains("PointSymbolizer") == true)
        #expect(p.styles["france_communes"]?.contains("PolygonSymbolizer") == true)
    }

    @Test func wmsVectorTakesAGivenStyleFile() throws {
        var r = PublicationRequest(kind: .wmsVector, storedData: "france")
        r.tables = ["communes"]
        r.styleFiles = ["communes": "/styles/mine.sld"]
        let p = try Publisher.plan(r, in: Self.snapshot(), readStyle: { "<sld from \($0)>" })
        #expect(p.styles == ["france_communes": "<sld from /styles/mine.sld>"])
        r.styleFiles = ["nope": "/x.sld"]
        #expect(throws: PublishError.self) { try Publisher.plan(r, in: Self.snapshot(), readStyle: { _ in "" }) }
    }

    @Test func pyramidsArePublishedWithTheirLevels() throws {
        let tms = try Publisher.plan(PublicationRequest(kind: .tms, storedData: "relief"), in: Self.snapshot())
        let used = try #require(tms.configuration.typeInfos.usedData.first)
        #expect(used.topLevel == "5" && used.bottomLevel == "10")
        #expect(tms.configuration.type == .wmtsTms)
        #expect(tms.capabilitiesURL(baseURL: "http://h") == "http://h/tms/1.0.0")
        let wmts = try Publisher.plan(PublicationRequest(kind: .wmts, storedData: "relief"), in: Self.snapshot())
        #expect(wmts.capabilitiesURL(baseURL: "http://h") == "http://h/wmts?SERVICE=WMTS&REQUEST=GetCapabilities")
        var r = PublicationRequest(kind: .wmts, storedData: "relief")
        r.bottomLevel = "11"
        #expect(throws: PublishError.self) { try Publisher.plan(r, in: Self.snapshot()) }
    }

    @Test func restrictedPublicationsGoToPrivateEndpoints() throws {
        var r = PublicationRequest(kind: .wfs, storedData: "france")
        r.open = false
        let p = try Publisher.plan(r, in: Self.snapshot())
        #expect(p.offering.endpoint == "private-wfs")
        #expect(p.offering.open == false)
        #expect(p.capabilitiesURL(baseURL: "http://h").hasSuffix("&apikey=KEY"))
        r.endpoint = "wfs"
        #expect(throws: PublishError.self) { try Publisher.plan(r, in: Self.snapshot()) }
    }

    @Test func mismatchesAreRefusedWithAReason() throws {
        let snap = Self.snapshot()
        func reason(_ r: PublicationRequest) -> String {
            do { _ = try Publisher.plan(r, in: snap); return "" } catch { return "\(error)" }
        }
        #expect(reason(PublicationRequest(kind: .wfs, storedData: "nope")).contains("no stored data nope"))
        #expect(reason(PublicationRequest(kind: .wfs, storedData: "relief")).contains("VECTOR-DB"))
        #expect(reason(PublicationRequest(kind: .tms, storedData: "france")).contains("pyramid"))
        #expect(reason(PublicationRequest(kind: .wmsRaster, storedData: "relief")).contains("no open WMS-RASTER endpoint"))
        var wrongType = PublicationRequest(kind: .wfs, storedData: "france")
        wrongType.endpoint = "wms-v"
        #expect(reason(wrongType).contains("needs a WFS endpoint"))
    }

    @Test func aLayerNameTakenOnTheEndpointIsRefused() throws {
        var snap = Self.snapshot()
        var other = Configuration(id: "other", type: .wfs, name: "x", layerName: "france", typeInfos: ConfigurationTypeInfos(usedData: []))
        other.id = "other"
        snap.configurations["other"] = other
        snap.offerings["other"] = Offering(id: "other", configuration: "other", endpoint: "wfs")
        #expect(throws: PublishError.self) { try Publisher.plan(PublicationRequest(kind: .wfs, storedData: "france"), in: snap) }
        var renamed = PublicationRequest(kind: .wfs, storedData: "france")
        renamed.layerName = "france_bis"
        #expect(try Publisher.plan(renamed, in: snap).configuration.layerName == "france_bis")
    }
}
