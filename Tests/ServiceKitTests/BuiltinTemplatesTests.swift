import Foundation
import Testing
@testable import ServiceKit

@Suite struct BuiltinTemplatesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("capabilities-templates")

    /// The binary carries capabilities-templates/ as it is: run scripts/embed-templates.sh after editing one.
    @Test func builtinTemplatesAreTheRepositorysOnes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".mustache") }
        #expect(Set(files.map { String($0.dropLast(".mustache".count)) }) == Set(TemplateLibrary.builtin.keys))
        for file in files {
            let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
            #expect(TemplateLibrary.builtin[String(file.dropLast(".mustache".count))] == text,
                    "\(file) differs from BuiltinTemplates.swift: run scripts/embed-templates.sh")
        }
        let lib = try TemplateLibrary()
        #expect(try lib.render("tms-service", ["servicesURL": "http://x/"]).contains("<TileMapService"))
    }

    @Test func anOverrideDirectoryMustHoldEveryTemplate() async throws {
        _ = try await TemplateLibrary(directory: Self.directory)
        let partial = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        try "<x/>".write(to: partial.appendingPathComponent("tms-service.mustache"), atomically: true, encoding: .utf8)
        await #expect(throws: TemplateLibrary.TemplateError.self) { try await TemplateLibrary(directory: partial) }
        await #expect(throws: TemplateLibrary.TemplateError.self) {
            try await TemplateLibrary(directory: partial.appendingPathComponent("nope"))
        }
    }
}
