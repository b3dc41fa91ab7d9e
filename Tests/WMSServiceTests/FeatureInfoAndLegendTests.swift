import Testing

@Suite struct FeatureInfoAndLegendTests {
    static let map = "SERVICE=WMS&REQUEST=GetFeatureInfo&VERSION=1.3.0&LAYERS=france_admin&QUERY_LAYERS=france_admin&STYLES=&CRS=EPSG:4326&BBOX=48.80,2.20,48.92,2.48&WIDTH=560&HEIGHT=240"

    @Test func jsonAnswerNamesParisAtItsCentre() async throws {
        let env = try await WMSTestSetup.env()
        let a = try await WMSTestSetup.call(env, Self.map + "&I=300&J=120&INFO_FORMAT=application/json&FEATURE_COUNT=5")
        #expect(a.contentType == "application/json")
        #expect(a.text.contains("\"nom\":\"Paris\"") && a.text.contains("\"code\":\"75056\""))
        #expect(a.text.contains("\"type\":\"FeatureCollection\""))
    }

    @Test func otherFormatsAndVersion111() async throws {
        let env = try await WMSTestSetup.env()
        let plain = try await WMSTestSetup.call(env, Self.map + "&I=300&J=120&INFO_FORMAT=text/plain")
        #expect(plain.text.contains("nom = Paris"))
        let html = try await WMSTestSetup.call(env, Self.map + "&I=300&J=120&INFO_FORMAT=text/html")
        #expect(html.contentType.hasPrefix("text/html") && html.text.contains("<td>Paris</td>"))
        let gml = try await WMSTestSetup.call(env, Self.map + "&I=300&J=120&INFO_FORMAT=application/vnd.ogc.gml")
        #expect(gml.text.contains("<nom>Paris</nom>"))
        let v111 = "SERVICE=WMS&REQUEST=GetFeatureInfo&VERSION=1.1.1&LAYERS=france_admin&QUERY_LAYERS=france_admin&STYLES=&SRS=EPSG:4326&BBOX=2.20,48.80,2.48,48.92&WIDTH=560&HEIGHT=240&X=300&Y=120&INFO_FORMAT=text/plain"
        #expect(try await WMSTestSetup.call(env, v111).text.contains("nom = Paris"))
        let bad = try await WMSTestSetup.call(env, Self.map + "&I=300&J=120&INFO_FORMAT=image/png")
        #expect(bad.text.contains("InvalidFormat"))
    }

    @Test func legendHasOneSwatchPerRule() async throws {
        let env = try await WMSTestSetup.env()
        let img = try await WMSTestSetup.image(env, "SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&LAYER=france_admin&FORMAT=image/png")
        // communes: 4 rules, departements: 4, regions: 2 → 10 rows of 20 + 2 px.
        #expect(img.height == 10 * 22)
        // The first swatch is the Paris rule's fill.
        #expect(holds(img.isColour(10, 10, 0xD7301F)), "\(img.rgba(10, 10))")
        #expect(img.width > 60, "rule titles beside the swatches")
        let oneRule = try await WMSTestSetup.image(env, "SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&LAYER=france_admin&FORMAT=image/png&RULE=rhone")
        #expect(oneRule.height == 2 * 22, "rules named rhone in communes and departements")
    }
}
