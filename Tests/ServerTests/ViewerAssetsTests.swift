import Foundation
import Testing
@testable import PasserelleServer

@Suite struct ViewerAssetsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary serves viewer/ as it is: run scripts/embed-viewer.sh after editing it.
    @Test func builtinAssetsAreTheRepositorysFiles() throws {
        #expect(Set(ViewerAssets.files.keys) == ["viewer.js", "mvt.js", "leaflet.js", "leaflet.css"])
        for (name, file) in ViewerAssets.files {
            let onDisk = try Data(contentsOf: Self.repository.appendingPathComponent(file.source))
            #expect(Data(ViewerPage.assets[name]?.bytes ?? []) == onDisk, "\(file.source) differs: run scripts/embed-viewer.sh")
        }
    }
}
