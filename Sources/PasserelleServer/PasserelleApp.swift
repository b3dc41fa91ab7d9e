import Config
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceKit
import Styling
import VectorData

/// Everything a running server is made of, built from a config directory.
public struct PasserelleApp: Sendable {
    public let store: ConfigStore
    public let reloader: Reloader
    public let dispatcher: Dispatcher
    public let metrics: ServerMetrics
    let status: StatusEndpoints

    /// Loads the config directory and the capabilities templates, and builds the services.
    public static func make(configDirectory: URL, templatesDirectory: URL? = nil,
                            logger: Logger = Logger(label: "passerelle")) async throws -> PasserelleApp {
        let resources = SharedResources(statementTimeoutMs: Limits().statementTimeoutMs)
        let loader = ConfigLoader(directory: configDirectory, validator: ServerValidator(resources: resources))
        let (reloader, store) = await Reloader.initial(loader: loader, logger: logger)
        let metrics = ServerMetrics()
        let first = store.current
        metrics.setGeneration(first.generation, issues: first.issues.count)
        await reloader.addObserver { snap in
            metrics.recordReload(generation: snap.generation, issues: snap.issues.count)
            // Close the stores whose stored data is gone; the others keep their pools.
            resources.sources.retain(ids: Set(snap.storedData.keys))
        }
        let templates = if let dir = templatesDirectory { try await TemplateLibrary(directory: dir) } else { try TemplateLibrary() }
        let services = ServiceFactory.make(resources: resources)
        let dispatcher = Dispatcher(store: store, services: services, templates: templates, metrics: metrics, logger: logger,
                                    tileResponses: TileCachesSetting.responseCache())
        let status = StatusEndpoints(store: store, metrics: metrics, readiness: { snap in await resources.readiness(snap) },
                                     readTargets: { resources.sources.readTargets },
                                     styleReport: { snap in StyleReport.of(stylesDirectory: snap.stylesDirectory, loader: resources.styles) })
        return PasserelleApp(store: store, reloader: reloader, dispatcher: dispatcher, metrics: metrics, status: status)
    }

    /// The Hummingbird application: the responder, plus the config watcher as a service.
    public func application(host: String, port: Int, logger: Logger = Logger(label: "passerelle")) -> some ApplicationProtocol {
        let responder = PasserelleResponder(dispatcher: dispatcher, status: status)
        let watch = ConfigWatchService(reloader: reloader, store: store, watcher: DirectoryWatcher())
        // Idle connections (slow or stalled clients) are closed after 30 s. Fresh tile answers are served by the
        // fast path on the event loop.
        let (cache, store, recorder) = (dispatcher.tileResponses, store, dispatcher.recorder)
        let server = HTTPServerBuilder { responder in
            FastPathHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: .seconds(30))),
                                 makeHandler: { TileFastPathHandler(cache: cache, store: store, access: recorder) })
        }
        return Application(responder: responder,
                           server: server,
                           configuration: .init(address: .hostname(host, port: port), serverName: "Passerelle"),
                           services: [watch], logger: logger)
    }

    /// A responder without the watcher, for in-process tests.
    public func responder() -> some HTTPResponder<ConnectionContext> {
        PasserelleResponder(dispatcher: dispatcher, status: status)
    }
}

extension PasserelleApp {
    /// Loads a config directory with every check the server makes, without serving it.
    public static func check(configDirectory: URL) async -> ConfigSnapshot {
        await checkWithStores(configDirectory: configDirectory).snapshot
    }

    /// `check(configDirectory:)`, plus the databases of each PostgreSQL store as the check found them (primary
    /// and read replicas, which are up), by stored data id.
    public static func checkWithStores(configDirectory: URL) async -> (snapshot: ConfigSnapshot, readTargets: [String: [ReadTargetStatus]]) {
        let resources = SharedResources(statementTimeoutMs: Limits().statementTimeoutMs)
        let snap = await ConfigLoader(directory: configDirectory, validator: ServerValidator(resources: resources)).load(previous: nil)
        let targets = resources.sources.readTargets
        resources.sources.retain(ids: [])
        return (snap, targets)
    }

    /// What each style of the config's styles folder does not draw, by style name, as `/status` lists it.
    public static func styleReport(of snapshot: ConfigSnapshot) -> StyleReport {
        StyleReport.of(stylesDirectory: snapshot.stylesDirectory, loader: SLDLoader())
    }
}
