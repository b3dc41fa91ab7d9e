import Testing

@Suite struct CapabilitiesTests {
    @Test func wms130IsValidAndDescribesTheLayer() async throws {
        let env = try await WMSTestSetup.env()
        let a = try await WMSTestSetup.call(env, "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        #expect(a.status == 200 && a.contentType == "text/xml")
        // The SLD 1.1 capabilities schema imports WMS 1.3.0's and declares the sld:GetLegendGraphic operation.
        #expect(try WMSTestSetup.xmllint(a.body, schema: "sld/1.1.0/sld_capabilities.xsd") == nil)
        let x = a.text
        #expect(x.contains("<sld:GetLegendGraphic>"))
        #expect(x.contains("<Name>france_admin</Name>"))
        #expect(x.contains("<Layer queryable=\"1\""))
        // EPSG:4326 is latitude first in 1.3.0; CRS:84 longitude first.
        #expect(x.contains("<BoundingBox CRS=\"EPSG:4326\" minx=\"41.3\" miny=\"-5.2\" maxx=\"51.1\" maxy=\"9.6\"/>"))
        #expect(x.contains("<BoundingBox CRS=\"CRS:84\" minx=\"-5.2\" miny=\"41.3\" maxx=\"9.6\" maxy=\"51.1\"/>"))
        #expect(x.contains("<westBoundLongitude>-5.2</westBoundLongitude>"))
        for crs in ["EPSG:3857", "EPSG:2154"] { #expect(x.contains("<CRS>\(crs)</CRS>")) }
        #expect(x.contains("REQUEST=GetLegendGraphic"))
        #expect(x.contains("<Format>image/png; mode=8bit</Format>"))
        #expect(x.contains("<MetadataURL type=\"ISO19115:2003\">"))
        #expect(x.contains("<Attribution>"))
        #expect(x.contains("<Keyword>Démo</Keyword>"))
        // Served from the cache the second time, identical.
        let b = try await WMSTestSetup.call(env, "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        #expect(b.body == a.body)
    }

    @Test func wms111FollowsTheDTD() async throws {
        let env = try await WMSTestSetup.env()
        let a = try await WMSTestSetup.call(env, "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1")
        #expect(a.contentType == "application/vnd.ogc.wms_xml")
        #expect(try WMSTestSetup.xmllint(a.body, dtd: "wms/1.1.1/WMS_MS_Capabilities.dtd") == nil)
        let x = a.text
        #expect(x.contains("<WMT_MS_Capabilities version=\"1.1.1\""))
        #expect(x.contains("<LatLonBoundingBox minx=\"-5.2\" miny=\"41.3\" maxx=\"9.6\" maxy=\"51.1\"/>"))
        #expect(x.contains("<BoundingBox SRS=\"EPSG:4326\" minx=\"-5.2\" miny=\"41.3\" maxx=\"9.6\" maxy=\"51.1\"/>"))
        #expect(x.contains("<Format>application/vnd.ogc.se_inimage</Format>"))
    }

    @Test func unversionedRequestGets130() async throws {
        let env = try await WMSTestSetup.env()
        let a = try await WMSTestSetup.call(env, "SERVICE=WMS&REQUEST=GetCapabilities")
        #expect(a.text.contains("<WMS_Capabilities version=\"1.3.0\""))
    }
}
