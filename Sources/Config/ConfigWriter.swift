import Foundation

/// Writes platform objects into a config directory the way `ConfigLoader` reads them: one pretty JSON file per
/// object, `<folder>/<id>.json`. Each file is written under a temporary name and then renamed, so the hot
/// reloader never reads half a file. Used by the commands that make objects (import, publish, pyramid).
public struct ConfigWriter: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory.standardizedFileURL }

    /// The file of an object: `stored_data/france.json`.
    public func file(_ folder: Folder, _ id: String) -> URL {
        directory.appendingPathComponent(folder.rawValue).appendingPathComponent(id + ".json")
    }

    public enum Folder: String, Sendable {
        case endpoints, configurations, offerings, permissions, keys
        case storedData = "stored_data"
    }

    @discardableResult
    public func write(_ storedData: StoredData) throws -> URL { try write(storedData, to: .storedData, id: storedData.id) }
    @discardableResult
    public func write(_ configuration: Configuration) throws -> URL { try write(configuration, to: .configurations, id: configuration.id) }
    @discardableResult
    public func write(_ offering: Offering) throws -> URL { try write(offering, to: .offerings, id: offering.id) }

    /// Writes any encodable object as `<folder>/<id>.json`, atomically.
    @discardableResult
    public func write<T: Encodable>(_ value: T, to folder: Folder, id: String) throws -> URL {
        guard Self.isValidID(id) else { throw ConfigWriterError.invalidID(id) }
        let url = file(folder, id)
        try writeAtomically(Self.encode(value), to: url)
        return url
    }

    /// Removes `<folder>/<id>.json`; false when there was no such file.
    @discardableResult
    public func remove(_ folder: Folder, id: String) throws -> Bool {
        guard Self.isValidID(id) else { throw ConfigWriterError.invalidID(id) }
        let url = file(folder, id)
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        try FileManager.default.removeItem(at: url)
        return true
    }

    /// Writes bytes to a temporary file beside `url`, then renames it over `url`.
    public func writeAtomically(_ data: Data, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try data.write(to: tmp)
            guard rename(tmp.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path,
                                                             NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    /// Pretty JSON with sorted keys and unescaped slashes, as a person would write the file.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// An id is a file name: letters, digits, `_`, `-`, `.`, not starting with a dot.
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, first != "." else { return false }
        return id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }
    }
}

public enum ConfigWriterError: Error, CustomStringConvertible {
    case invalidID(String)

    public var description: String {
        switch self {
        case .invalidID(let id): "\"\(id)\" is not a valid id (letters, digits, _, - and . only, not starting with a dot)"
        }
    }
}
