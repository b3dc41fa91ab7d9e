import Foundation
import Hummingbird
import OGCCore
import ServiceKit
import Testing
import TileServices
import TileStore

@Suite struct WMTSTests {
    let service = WMTSService(registry: TestSetup.registry, tileMaxAge: 600)

    func kvp(_ pairs: [(String, String)]) -> OGCRequest { TestSetup.request("", pairs) }

    func getTile(_ layer: String, _ matrix: String, row: Int, col: Int, format: String = "image/jpeg",
                 set: String = "PM_3_10") -> OGCRequest {
        kvp([("SERVICE", "WMTS"), ("REQUEST", "GetTile"), ("VERSION", "1.0.0"), ("LAYER", layer), ("STYLE", "normal"),
             ("FORMAT", format), ("TILEMATRIXSET", set), ("TILEMATRIX", matrix), ("TILEROW", String(row)), ("TILECOL", String(col))])
    }

    @Test func capabilitiesValidateAndDescribeThePyramids() async throws {
        let ctx = try TestSetup.context()
        let (r, body) = try await TestSetup.call(service, kvp([("SERVICE", "WMTS"), ("REQUEST", "GetCapabilities")]), ctx)
        #expect(r.status == .ok)
        let xml = String(decoding: body, as: UTF8.self)
        #expect(try TestSetup.validate(body, schema: "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd") == nil)
        #expect(xml.contains("<ows:Identifier>relief</ows:Identifier>"))
        #expect(xml.contains("<ows:Identifier>rhone_rgba</ows:Identifier>"))
        #expect(!xml.contains("<ows:Identifier>rhone_admin</ows:Identifier>"), "vector pyramids are TMS only")
        #expect(xml.contains("<TileMatrixSet>PM_3_10</TileMatrixSet>"))
        #expect(xml.contains("<TileMatrixSet>PM_6_9</TileMatrixSet>"))
        // Level 10 limits of FRANCE_RELIEF_JPG.
        #expect(xml.contains("<TileMatrix>10</TileMatrix>\n            <MinTileRow>363</MinTileRow>\n            <MaxTileRow>366</MaxTileRow>\n            <MinTileCol>524</MinTileCol>\n            <MaxTileCol>526</MaxTileCol>"))
        #expect(xml.contains("template=\"http://example.org/wmts/relief/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.jpeg\""))
        #expect(xml.contains("<TopLeftCorner>-20037508.3427892 20037508.3427892</TopLeftCorner>"))
        #expect(xml.contains("<InfoFormat>text/plain</InfoFormat>"))
        // Only levels 3..10 of PM are listed for relief.
        #expect(!xml.contains("<ows:Identifier>11</ows:Identifier>"))
    }

    @Test func restCapabilitiesAreTheSameDocument() async throws {
        let ctx = try TestSetup.context()
        let (r, body) = try await TestSetup.call(service, TestSetup.request("/1.0.0/WMTSCapabilities.xml"), ctx)
        #expect(r.status == .ok)
        #expect(String(decoding: body, as: UTF8.self).contains("<Capabilities"))
    }

    @Test func getTileKVPAndRESTServeTheStoredBytes() async throws {
        let ctx = try TestSetup.context()
        let expected = try #require(try TestSetup.storeTile("FRANCE_RELIEF_JPG", "10", 525, 365))
        let (r, body) = try await TestSetup.call(service, getTile("relief", "10", row: 365, col: 525), ctx)
        #expect(r.status == .ok)
        #expect(body == expected)
        #expect(r.header("Content-Type") == "image/jpeg")
        #expect(r.header("Content-Length") == String(expected.count))
        #expect(r.header("Cache-Control") == "public, max-age=600")
        #expect(r.header("ETag") != nil && r.header("Last-Modified") != nil)
        let (r2, body2) = try await TestSetup.call(service, TestSetup.request("/relief/normal/PM_3_10/10/365/525.jpeg"), ctx)
        #expect(r2.status == .ok)
        #expect(body2 == expected)
        #expect(r2.header("ETag") == r.header("ETag"))
        // The plain TMS id is accepted too.
        let (r3, _) = try await TestSetup.call(service, getTile("relief", "10", row: 365, col: 525, set: "PM"), ctx)
        #expect(r3.status == .ok)
    }

    @Test func conditionalRequestsAndHead() async throws {
        let ctx = try TestSetup.context()
        let (r, _) = try await TestSetup.call(service, getTile("relief", "9", row: 182, col: 262), ctx)
        let etag = try #require(r.header("ETag"))
        var h = HTTPFields(); h[.ifNoneMatch] = etag
        let (nm, nmBody) = try await TestSetup.call(service, TestSetup.request("/relief/normal/PM_3_10/9/182/262.jpeg", headers: h), ctx)
        #expect(nm.status == .notModified)
        #expect(nmBody.isEmpty)
        var h2 = HTTPFields(); h2[.ifNoneMatch] = "\"other\""
        let (m, _) = try await TestSetup.call(service, TestSetup.request("/relief/normal/PM_3_10/9/182/262.jpeg", headers: h2), ctx)
        #expect(m.status == .ok)
        var h3 = HTTPFields(); h3[.ifModifiedSince] = try #require(r.header("Last-Modified"))
        let (ims, _) = try await TestSetup.call(service, TestSetup.request("/relief/normal/PM_3_10/9/182/262.jpeg", headers: h3), ctx)
        #expect(ims.status == .notModified)
        var h4 = HTTPFields(); h4[.ifModifiedSince] = "Mon, 01 Jan 1990 00:00:00 GMT"
        let (old, _) = try await TestSetup.call(service, TestSetup.request("/relief/normal/PM_3_10/9/182/262.jpeg", headers: h4), ctx)
        #expect(old.status == .ok)
        let (head, headBody) = try await TestSetup.call(service, TestSetup.request("/relief/normal/PM_3_10/9/182/262.jpeg", method: .head), ctx)
        #expect(head.status == .ok)
        #expect(headBody.isEmpty)
        #expect(head.header("Content-Length") == r.header("Content-Length"))
    }

    @Test func exceptions() async throws {
        let ctx = try TestSetup.context()
        func check(_ req: OGCRequest, status: Int, code: String, _ comment: Comment) async throws {
            let (r, body) = try await TestSetup.call(service, req, ctx)
            #expect(r.status.code == status, comment)
            #expect(String(decoding: body, as: UTF8.self).contains("exceptionCode=\"\(code)\""), comment)
        }
        try await check(getTile("relief", "10", row: 5000, col: 525), status: 400, code: "TileOutOfRange", "row outside the matrix")
        try await check(getTile("relief", "10", row: 365, col: -1), status: 400, code: "TileOutOfRange", "negative col")
        try await check(getTile("relief", "10", row: 0, col: 0), status: 400, code: "TileOutOfRange", "outside the layer's limits")
        try await check(getTile("relief", "10", row: 363, col: 526), status: 404, code: "TileOutOfRange", "missing slab")
        try await check(getTile("relief", "7", row: 42, col: 62), status: 404, code: "TileOutOfRange", "empty tile in its slab")
        try await check(getTile("relief", "11", row: 0, col: 0), status: 400, code: "InvalidParameterValue", "level not published")
        try await check(getTile("relief", "10", row: 365, col: 525, format: "image/png"), status: 400, code: "InvalidParameterValue", "format")
        try await check(getTile("nope", "10", row: 365, col: 525), status: 400, code: "InvalidParameterValue", "layer")
        try await check(getTile("relief", "10", row: 365, col: 525, set: "WGS84G"), status: 400, code: "InvalidParameterValue", "set")
        try await check(getTile("rhone_admin", "10", row: 365, col: 525, format: "application/x-protobuf", set: "PM_5_12"),
                        status: 400, code: "InvalidParameterValue", "vector layers are not in WMTS")
        try await check(kvp([("SERVICE", "WMTS"), ("REQUEST", "GetTile"), ("VERSION", "1.0.0"), ("LAYER", "relief")]),
                        status: 400, code: "MissingParameterValue", "missing STYLE")
        try await check(TestSetup.request("/relief/normal/PM_3_10/10/365/525.png"), status: 400, code: "InvalidParameterValue", "extension")
    }

    /// WMTS 1.0.0 Table 23 and OWS Common: the locator names the offending parameter; SERVICE and ACCEPTVERSIONS.
    @Test func outOfRangeLocatorsServiceAndVersionNegotiation() async throws {
        let ctx = try TestSetup.context()
        func answer(_ req: OGCRequest) async throws -> (Int, String) {
            let (r, body) = try await TestSetup.call(service, req, ctx)
            return (r.status.code, String(decoding: body, as: UTF8.self))
        }
        // Level 10's limits: columns 524–526, rows 363–366.
        let (s1, b1) = try await answer(getTile("relief", "10", row: 364, col: 600))
        #expect(s1 == 400 && b1.contains("exceptionCode=\"TileOutOfRange\"") && b1.contains("locator=\"TILECOL\""))
        let (s2, b2) = try await answer(getTile("relief", "10", row: 100, col: 525))
        #expect(s2 == 400 && b2.contains("locator=\"TILEROW\""))
        let (s3, b3) = try await answer(kvp([("REQUEST", "GetCapabilities")]))
        #expect(s3 == 400 && b3.contains("exceptionCode=\"MissingParameterValue\"") && b3.contains("locator=\"SERVICE\""))
        let (s4, b4) = try await answer(kvp([("SERVICE", "WMTS"), ("REQUEST", "GetCapabilities"), ("ACCEPTVERSIONS", "0.0.0")]))
        #expect(s4 == 400 && b4.contains("exceptionCode=\"VersionNegotiationFailed\""))
        let (s5, b5) = try await answer(kvp([("SERVICE", "WMTS"), ("REQUEST", "GetCapabilities"), ("ACCEPTVERSIONS", "2.0.0,1.0.0")]))
        #expect(s5 == 200 && b5.contains("<Capabilities"))
    }

    @Test(arguments: ["/relief/../../etc/passwd", "/relief/%2e%2e/PM_3_10/10/365/525.jpeg", "/..%2F..%2Fetc/x/y/z/1/2.jpeg",
                      "//etc/passwd/a/b/c.jpeg", "/relief/normal/PM_3_10/10/365/.."])
    func pathTraversalIsRefused(path: String) async throws {
        let ctx = try TestSetup.context()
        let (r, _) = try await TestSetup.call(service, TestSetup.request(path), ctx)
        #expect(r.status == .badRequest)
    }

    @Test func featureInfoGivesPixelValues() async throws {
        let ctx = try TestSetup.context()
        func gfi(_ layer: String, _ fmt: String, _ m: String, row: Int, col: Int, format: String) -> OGCRequest {
            kvp([("SERVICE", "WMTS"), ("REQUEST", "GetFeatureInfo"), ("VERSION", "1.0.0"), ("LAYER", layer), ("STYLE", "normal"),
                 ("FORMAT", fmt), ("TILEMATRIXSET", "PM"), ("TILEMATRIX", m), ("TILEROW", String(row)), ("TILECOL", String(col)),
                 ("I", "128"), ("J", "128"), ("INFOFORMAT", format)])
        }
        // PNG decodes exactly: the manifest's pixel (128,128).
        let (r, body) = try await TestSetup.call(service, gfi("rhone_rgba", "image/png", "9", row: 182, col: 262, format: "application/json"), ctx)
        #expect(r.status == .ok)
        let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let props = ((json?["features"] as? [[String: Any]])?.first?["properties"]) as? [String: Int]
        #expect(props == ["band_1": 160, "band_2": 201, "band_3": 179, "band_4": 255])
        // JPEG: within a decoder's rounding of the manifest's (142, 187, 167).
        let (r2, body2) = try await TestSetup.call(service, gfi("relief", "image/jpeg", "10", row: 365, col: 525, format: "text/plain"), ctx)
        #expect(r2.status == .ok)
        let values = String(decoding: body2, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: " ").last!) }
        #expect(values.count == 3)
        for (v, e) in zip(values, [142, 187, 167]) { #expect(abs(v - e) <= 3) }
        // No tile: the nodata value.
        let (r3, body3) = try await TestSetup.call(service, gfi("relief", "image/jpeg", "7", row: 42, col: 62, format: "text/xml"), ctx)
        #expect(r3.status == .ok)
        #expect(String(decoding: body3, as: UTF8.self).contains("<Value band=\"band_1\">255</Value>"))
    }

    @Test func featureInfoNeedsTheConfiguration() async throws {
        let ctx = try TestSetup.context(snapshot: TestSetup.snapshot(getFeatureInfo: false))
        let req = kvp([("SERVICE", "WMTS"), ("REQUEST", "GetFeatureInfo"), ("VERSION", "1.0.0"), ("LAYER", "relief"), ("STYLE", "normal"),
                       ("FORMAT", "image/jpeg"), ("TILEMATRIXSET", "PM"), ("TILEMATRIX", "10"), ("TILEROW", "365"), ("TILECOL", "525"),
                       ("I", "1"), ("J", "1"), ("INFOFORMAT", "text/plain")])
        let (r, _) = try await TestSetup.call(service, req, ctx)
        #expect(r.status == .badRequest)
    }
}
