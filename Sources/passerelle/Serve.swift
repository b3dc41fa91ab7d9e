import ArgumentParser
import Foundation
import Logging
import PasserelleServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server on a config directory.")

    @Option(name: .long, help: "The config directory (endpoints/, stored_data/, configurations/, offerings/, …).")
    var config: String = "config"

    @Option(name: .long, help: "A directory of capabilities templates overriding those built into the binary (capabilities-templates/).")
    var templates: String?

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on.")
    var port: Int = 8080

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        MemoryPolicy.apply()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var h = BufferedLogHandler(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "passerelle")
        let dir = URL(fileURLWithPath: config).standardizedFileURL
        let app = try await PasserelleApp.make(configDirectory: dir, templatesDirectory: templates.map { URL(fileURLWithPath: $0) },
                                               logger: logger)
        let snap = app.store.current
        logger.notice("config loaded", metadata: [
            "directory": .string(dir.path), "generation": .stringConvertible(snap.generation),
            "offerings": .stringConvertible(snap.offerings.count), "errors": .stringConvertible(snap.issues.count),
        ])
        for r in snap.routes {
            logger.notice("endpoint", metadata: ["url": .string("http://\(host):\(port)\(r.path)"), "type": .string(r.urlType),
                                                 "id": .string(r.endpoint.id)])
        }
        try await app.application(host: host, port: port, logger: logger).runService()
    }
}
