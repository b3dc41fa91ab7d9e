import Hummingbird
import OGCCore
import ServiceKit

/// Answers for an endpoint kind this build has no service for.
struct UnavailableService: OGCService {
    func handle(_ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        throw OGCError(.operationNotSupported, "No service is available for \(context.endpoint.type.rawValue) endpoints")
    }

    func exceptionFlavour(for request: OGCRequest, _ context: ServiceContext) -> ExceptionFlavour {
        .ows110(serviceVersion: "1.0.0")
    }
}
