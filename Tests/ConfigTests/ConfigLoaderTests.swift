import Config
import Foundation
import Testing

/// A scratch config directory written file by file.
struct ScratchConfig {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-config-\(UUID().uuidString)")
        for f in ConfigLoader.folders {
            try FileManager.default.createDirectory(at: url.appendingPathComponent(f), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: url.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data().write(to: url.appendingPathComponent("data/demo.gpkg"))
    }

    func write(_ rel: String, _ text: String) throws {
        let u = url.appendingPathComponent(rel)
        let tmp = u.appendingPathExtension("tmp")
        try text.write(to: tmp, atomically: false, encoding: .utf8)
        // Atomic replace, as editors and deploy tools do.
        guard rename(tmp.path, u.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func remove(_ rel: String) throws { try FileManager.default.removeItem(at: url.appendingPathComponent(rel)) }

    /// A WFS endpoint, a GeoPackage stored data, a WFS configuration and its offering.
    static func minimal() throws -> ScratchConfig {
        let c = try ScratchConfig()
        try c.write("endpoints/wfs.json", #"{"name": "WFS", "type": "WFS", "open": true, "urls": [{"type": "WFS", "url": "https://data.example.org/wfs/"}]}"#)
        try c.write("stored_data/demo.json", #"""
            {"name": "demo", "type": "VECTOR-DB", "storage": {"type": "FILESYSTEM", "path": "data/demo.gpkg"},
             "type_infos": {"relations": [{"name": "communes", "type": "TABLE", "attributes": {"code": "text", "geom": "geometry(MultiPolygon,4326)"}}]}}
            """#)
        try c.write("configurations/c1.json", configuration(title: "Communes"))
        try c.write("offerings/o1.json", #"{"configuration": "c1", "endpoint": "wfs", "open": true}"#)
        return c
    }

    static func configuration(title: String) -> String {
        #"""
        {"type": "WFS", "name": "n", "layer_name": "demo", "unknown_field": {"ignored": true},
         "type_infos": {"used_data": [{"stored_data": "demo", "relations": [{"native_name": "communes", "title": "\#(title)", "abstract": "a"}]}]}}
        """#
    }
}

@Suite struct ConfigLoaderTests {
    @Test func loadsTheObjectModelAndResolvesPaths() async throws {
        let c = try ScratchConfig.minimal()
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues == [])
        #expect(snap.endpoints["wfs"]?.urls.first?.path == "/wfs")
        #expect(snap.storedData["demo"]?.storage.path == c.url.appendingPathComponent("data/demo.gpkg").standardizedFileURL.path)
        let published = snap.published(on: "wfs")
        #expect(published.count == 1)
        #expect(published.first?.configuration.typeInfos.usedData.first?.relations?.first?.title == "Communes")
        #expect(snap.generation == 1)
    }

    @Test func brokenFileKeepsItsLastGoodVersion() async throws {
        let c = try ScratchConfig.minimal()
        let loader = ConfigLoader(directory: c.url)
        let first = await loader.load()
        try c.write("configurations/c1.json", #"{"type": "WFS", "name": "#)
        let second = await loader.load(previous: first)
        #expect(second.configurations["c1"] != nil, "the last good version keeps serving")
        #expect(second.offerings["o1"] != nil)
        let issue = try #require(second.issues.first { $0.file == "configurations/c1.json" })
        #expect(issue.stale)
        #expect(issue.message.contains("JSON"))
        #expect(second.generation == 2)

        // Fixed: the new version serves, no issue left.
        try c.write("configurations/c1.json", ScratchConfig.configuration(title: "Fixed"))
        let third = await loader.load(previous: second)
        #expect(third.issues == [])
        #expect(third.configurations["c1"]?.typeInfos.usedData.first?.relations?.first?.title == "Fixed")
    }

    @Test func aBrokenNewFileIsReportedWithItsJSONPath() async throws {
        let c = try ScratchConfig.minimal()
        try c.write("configurations/c2.json", #"""
            {"type": "WFS", "name": "n", "layer_name": "x", "type_infos": {"used_data": [{"stored_data": 42}]}}
            """#)
        let snap = await ConfigLoader(directory: c.url).load()
        let issue = try #require(snap.issues.first { $0.file == "configurations/c2.json" })
        #expect(issue.path == "$.type_infos.used_data[0].stored_data")
        #expect(!issue.stale)
        #expect(snap.configurations["c2"] == nil)
    }

    @Test func danglingReferencesAndTypeMismatchesAreRefused() async throws {
        let c = try ScratchConfig.minimal()
        try c.write("offerings/o2.json", #"{"configuration": "nope", "endpoint": "wfs", "open": true}"#)
        try c.write("endpoints/wms.json", #"{"name": "WMS", "type": "WMS-VECTOR", "open": true, "urls": [{"type": "WMS", "url": "/wms"}]}"#)
        try c.write("offerings/o3.json", #"{"configuration": {"_id": "c1", "name": "n"}, "endpoint": {"_id": "wms"}, "open": true}"#)
        try c.write("configurations/c3.json", #"""
            {"type": "WFS", "name": "n", "layer_name": "bad name!", "type_infos": {"used_data": [{"stored_data": "demo", "relations": [{"native_name": "missing_table", "title": "t", "abstract": "a"}]}]}}
            """#)
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.offerings["o2"] == nil)
        #expect(snap.offerings["o3"] == nil)
        #expect(snap.issues.contains { $0.file == "offerings/o2.json" && $0.path == "$.configuration" })
        #expect(snap.issues.contains { $0.file == "offerings/o3.json" && $0.message.contains("WMS-VECTOR") })
        #expect(snap.issues.contains { $0.file == "configurations/c3.json" && $0.path == "$.layer_name" })
        #expect(snap.issues.contains { $0.file == "configurations/c3.json" && $0.message.contains("missing_table") })
    }

    @Test func aFullOrFailingDiskChangesNothingThatServes() async throws {
        let c = try ScratchConfig.minimal()
        let loader = ConfigLoader(directory: c.url)
        let first = await loader.load()
        // A full disk leaves files empty or cut short: the last good versions keep serving.
        try Data().write(to: c.url.appendingPathComponent("configurations/c1.json"))
        try Data("{\"configuration\": \"c1\", \"endpo".utf8).write(to: c.url.appendingPathComponent("offerings/o1.json"))
        let second = await loader.load(previous: first)
        #expect(second.published(on: "wfs").count == 1)
        #expect(second.issues.count == 2 && second.issues.allSatisfy(\.stale))
        // A folder that cannot be listed any more (here: no longer a folder) is not an empty folder.
        try FileManager.default.removeItem(at: c.url.appendingPathComponent("stored_data"))
        try Data("x".utf8).write(to: c.url.appendingPathComponent("stored_data"))
        let third = await loader.load(previous: second)
        #expect(third.storedData["demo"] != nil)
        #expect(third.published(on: "wfs").count == 1)
        #expect(third.issues.contains { $0.file == "stored_data" && $0.stale })
    }

    @Test func deletedFileDisappears() async throws {
        let c = try ScratchConfig.minimal()
        let loader = ConfigLoader(directory: c.url)
        let first = await loader.load()
        try c.remove("offerings/o1.json")
        let second = await loader.load(previous: first)
        #expect(second.offerings.isEmpty)
        #expect(second.published(on: "wfs").isEmpty)
    }

    @Test func acceptsThePlatformsVariants() async throws {
        let c = try ScratchConfig.minimal()
        // attributes as a list; getfeatureinfo beside type_infos; levels as strings; pyramid stored data.
        try c.write("stored_data/list.json", #"""
            {"name": "l", "type": "VECTOR-DB", "storage": {"type": "POSTGRESQL", "connection_env": "PG_URL"},
             "type_infos": {"relations": [{"name": "pays", "type": "TABLE", "primary_key": ["ogc_fid"], "attributes": ["ogc_fid", "name", "geom"]}]}}
            """#)
        try c.write("endpoints/wmts.json", #"{"name": "t", "type": "WMTS-TMS", "open": true, "urls": [{"type": "WMTS", "url": "/wmts"}, {"type": "TMS", "url": "/tms/1.0.0"}]}"#)
        try c.write("stored_data/pyr.json", #"""
            {"name": "p", "type": "ROK4-PYRAMID-RASTER", "storage": {"type": "FILESYSTEM", "path": "data/demo.gpkg"},
             "type_infos": {"tms": "PM", "levels": ["0", "1"], "channels_format": "UINT8", "channels_number": 3, "compression": "JPG", "nodata_value": "255,255,255"}}
            """#)
        try c.write("configurations/raster.json", #"""
            {"type": "WMTS-TMS", "name": "r", "layer_name": "ortho",
             "type_infos": {"title": "t", "abstract": "\"quoted\"", "used_data": [{"stored_data": "pyr", "bottom_level": "1", "top_level": 0}]},
             "getfeatureinfo": {"stored_data": true}}
            """#)
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues == [])
        #expect(snap.storedData["list"]?.typeInfos?.relations?.first?.attributeOrder == ["ogc_fid", "name", "geom"])
        #expect(snap.configurations["raster"]?.typeInfos.getfeatureinfo?.storedData == true)
        #expect(snap.configurations["raster"]?.typeInfos.usedData.first?.topLevel == "0")
        #expect(snap.routes.contains { $0.path == "/tms/1.0.0" && $0.urlType == "TMS" })
    }

    /// `read_replica_envs` names the variables of a POSTGRESQL store's read replicas; an empty name, the primary's
    /// own variable, or replicas on a GeoPackage are refused with their JSON path.
    @Test func readReplicasOfAPostgreSQLStore() async throws {
        let c = try ScratchConfig.minimal()
        try c.write("stored_data/pg.json", #"""
            {"name": "pg", "type": "VECTOR-DB", "storage": {"type": "POSTGRESQL", "connection_env": "PG_URL", "read_replica_envs": ["PG_R1", "PG_R2"]},
             "type_infos": {"relations": [{"name": "pays", "type": "TABLE", "attributes": ["ogc_fid", "geom"]}]}}
            """#)
        var snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues == [])
        #expect(snap.storedData["pg"]?.storage.readReplicaEnvs == ["PG_R1", "PG_R2"])
        #expect(snap.storedData["demo"]?.storage.readReplicaEnvs == nil)
        try c.write("stored_data/pg.json", #"""
            {"name": "pg", "type": "VECTOR-DB", "storage": {"type": "POSTGRESQL", "connection_env": "PG_URL", "read_replica_envs": ["PG_R1", "", "PG_URL"]},
             "type_infos": {"relations": [{"name": "pays", "type": "TABLE", "attributes": ["ogc_fid", "geom"]}]}}
            """#)
        try c.write("stored_data/gpkg.json", #"""
            {"name": "g", "type": "VECTOR-DB", "storage": {"type": "FILESYSTEM", "path": "data/demo.gpkg", "read_replica_envs": ["PG_R1"]},
             "type_infos": {"relations": [{"name": "communes", "type": "TABLE", "attributes": ["code", "geom"]}]}}
            """#)
        snap = await ConfigLoader(directory: c.url).load()
        #expect(Set(snap.issues.map(\.path)) == ["$.storage.read_replica_envs[1]", "$.storage.read_replica_envs[2]", "$.storage.read_replica_envs"])
    }

    /// Offerings as the platform's API returns them refer to `{_id, …}` objects, or by name without `_id`.
    @Test func offeringReferencesResolveByIdOrByName() async throws {
        let c = try ScratchConfig.minimal()
        try c.remove("offerings/o1.json")
        try c.write("endpoints/wfs.json", #"{"name": "Service WFS", "technical_name": "wfs-tech", "type": "WFS", "open": true, "urls": [{"type": "WFS", "url": "/wfs"}]}"#)
        try c.write("offerings/by-id.json", #"{"configuration": {"_id": "c1", "name": "n"}, "endpoint": {"_id": "wfs"}, "open": true}"#)
        var snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues == [])
        #expect(snap.offerings["by-id"]?.configuration == "c1" && snap.offerings["by-id"]?.endpoint == "wfs")
        try c.remove("offerings/by-id.json")
        try c.write("offerings/by-name.json", #"{"configuration": {"name": "n", "status": "PUBLISHED"}, "endpoint": {"technical_name": "wfs-tech"}, "open": true}"#)
        snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues == [])
        #expect(snap.offerings["by-name"]?.configuration == "c1" && snap.offerings["by-name"]?.endpoint == "wfs")
        #expect(snap.published(on: "wfs").count == 1)
        try c.write("offerings/by-name.json", #"{"configuration": {"name": "nope"}, "endpoint": "wfs", "open": true}"#)
        snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues.contains { $0.file == "offerings/by-name.json" && $0.message.contains("unknown or invalid configuration nope") })
    }

    /// The platform's listings: a file holding an array of objects, some of types this server does not serve.
    @Test func listingsOfObjectsAndUnservedTypes() async throws {
        let c = try ScratchConfig.minimal()
        try c.remove("endpoints/wfs.json")
        try c.write("endpoints/listing.json", #"""
            [{"_id": "wfs", "name": "WFS", "technical_name": "wfs-tech", "type": "WFS", "open": true, "urls": [{"type": "WFS", "url": "/wfs"}]},
             {"_id": "dl-1", "name": "Download", "type": "DOWNLOAD", "open": true, "urls": [{"type": "DOWNLOAD", "url": "/telechargement"}]},
             {"_id": "meta", "name": "Metadata", "type": "METADATA", "open": true, "urls": []}]
            """#)
        try c.write("configurations/download.json", #"{"type": "DOWNLOAD", "name": "d", "layer_name": "d", "type_infos": {"used_data": []}}"#)
        try c.write("offerings/o2.json", #"{"configuration": "download", "endpoint": "dl-1", "open": true}"#)
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.issues == [], "\(snap.issues)")
        #expect(snap.endpoints.keys.sorted() == ["wfs"])
        #expect(snap.published(on: "wfs").count == 1)
        #expect(snap.skipped.count == 4)
        #expect(snap.skipped.contains { $0.file == "endpoints/listing.json" && $0.message.contains("DOWNLOAD") })
        #expect(snap.skipped.contains { $0.file == "offerings/o2.json" })
    }

    @Test func restrictedOfferingMustBeOnAPrivateEndpoint() async throws {
        let c = try ScratchConfig.minimal()
        try c.write("offerings/o1.json", #"{"configuration": "c1", "endpoint": "wfs", "open": false}"#)
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.offerings["o1"] == nil)
        #expect(snap.issues.contains { $0.file == "offerings/o1.json" && $0.path == "$.open" })
    }

    @Test func pathsMayNotClimbOutOfTheConfigDirectory() async throws {
        let c = try ScratchConfig.minimal()
        try c.write("stored_data/evil.json", #"{"name": "e", "type": "VECTOR-DB", "storage": {"type": "FILESYSTEM", "path": "../../etc/passwd"}}"#)
        let snap = await ConfigLoader(directory: c.url).load()
        #expect(snap.storedData["evil"] == nil)
        #expect(snap.issues.contains { $0.file == "stored_data/evil.json" && $0.path == "$.storage.path" })
    }
}
