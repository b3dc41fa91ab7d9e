/// What `passerelle import` was asked to do.
public struct ImportOptions: Sendable {
    /// The files to import (each layer of each file becomes a table).
    public var sources: [String]
    /// The stored data id: `stored_data/<id>.json` in the config directory.
    public var storedData: String
    /// A human title for the stored data (default: the id).
    public var title: String?
    /// The PostgreSQL schema of the tables (created when missing).
    public var schema: String = "public"
    /// Only these layers (source names), all when empty.
    public var layers: [String] = []
    /// Table name prefix (`<prefix><layer>`), e.g. the stored data's name for several imports in one schema.
    public var tablePrefix: String = ""
    /// The CRS of sources that declare none, or to use instead of the declared one (`EPSG:2154`).
    public var srs: String?
    /// The text encoding of the sources (`LATIN1`, `CP1252`…) when it is not UTF-8.
    public var encoding: String?
    /// Repair invalid geometries with PostGIS's `ST_MakeValid` instead of refusing them.
    public var makeValid: Bool = false
    /// Run every check and report, but write nothing.
    public var checkOnly: Bool = false
    /// Findings listed one by one per check and layer before they are only counted.
    public var maxFindingsPerCheck: Int = 20

    public init(sources: [String], storedData: String) { self.sources = sources; self.storedData = storedData }
}

/// Why an import could not run at all (a refused import is a report, not an error).
public enum ImportError: Error, CustomStringConvertible, Sendable {
    case unreadable(String, String)
    case invalidOption(String)
    case database(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let why): "cannot read \(path): \(why)"
        case .invalidOption(let why): why
        case .database(let why): "database: \(why)"
        }
    }
}
