import Config
import Foundation
import Logging
import Testing
import TileServices
import TileStore

/// The demo config directory: its tile offerings load and serve.
@Suite struct DemoConfigTests {
    @Test func demoTileLayersLoadAndServe() async throws {
        let snap = await ConfigLoader(directory: TestSetup.repo.appendingPathComponent("config")).load()
        let mine = snap.issues.filter { $0.file.contains("relief") || $0.file.contains("rhone") }
        #expect(mine.isEmpty, "\(mine)")
        let ctx = try TestSetup.context(snapshot: snap)
        #expect(Set(ctx.layers.map(\.configuration.layerName)).isSuperset(of: ["france_relief", "rhone_rgba", "rhone_admin"]))
        let (r, body) = try await TestSetup.call(TMSService(registry: TestSetup.registry),
                                                 TestSetup.request("/rhone_admin/12/2100/1458.pbf"), ctx)
        #expect(r.status == .ok)
        #expect(body == (try TestSetup.storeTile("RHONE_ADMIN_MVT", "12", 2100, 1458)))
        let (c, caps) = try await TestSetup.call(WMTSService(registry: TestSetup.registry),
                                                 TestSetup.request("/1.0.0/WMTSCapabilities.xml"), ctx)
        #expect(c.status == .ok)
        #expect(try TestSetup.validate(caps, schema: "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd") == nil)
    }
}
