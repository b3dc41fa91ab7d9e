import Foundation

/// The fixtures copied from the ROK4 reference data (see Fixtures/rok4/MANIFEST.json).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let rok4 = root.appendingPathComponent("rok4")
    static let tileMatrixSets = root.appendingPathComponent("tilematrixsets")
    static func descriptor(_ name: String) -> String { rok4.appendingPathComponent("pyramids/\(name).json").path }

    static func manifest() throws -> [String: Any] {
        let data = try Data(contentsOf: rok4.appendingPathComponent("MANIFEST.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
