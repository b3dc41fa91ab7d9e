import Config
import Logging
import ServiceKit

/// Builds the service of each endpoint kind with its shared resources (source registry, pyramid cache).
enum ServiceFactory {
    static func make(store: ConfigStore, logger: Logger) -> ServiceSet {
        ServiceSet()
    }
}

extension ServiceSet {
    /// Stores that cannot be reached now, by stored data id.
    func readiness(_ snap: ConfigSnapshot) async -> [String: String] {
        [:]
    }
}
