import Foundation
import Mustache

/// The capabilities templates (`capabilities-templates/*.mustache`), loaded once at start.
public struct TemplateLibrary: Sendable {
    private let library: MustacheLibrary

    public init(directory: URL) async throws {
        library = try await MustacheLibrary(directory: directory.path)
    }

    /// For tests and embedded use.
    public init(templates: [String: String]) throws {
        var lib = MustacheLibrary()
        for (name, text) in templates { try lib.register(text, named: name) }
        library = lib
    }

    /// Renders template `name` with `context` (dictionaries, arrays, strings, numbers, bools).
    /// Mustache's `{{x}}` HTML-escapes, which is XML escaping for text and attributes.
    public func render(_ name: String, _ context: Any) throws -> String {
        guard let s = library.render(context, withTemplate: name) else {
            throw TemplateError.missing(name)
        }
        return s
    }

    public enum TemplateError: Error, CustomStringConvertible {
        case missing(String)
        public var description: String {
            switch self { case .missing(let n): "no capabilities template named \(n)" }
        }
    }
}
