/// An OGC exception: what went wrong, in the vocabulary of the OGC specs, and the HTTP status it maps to.
///
/// Every service throws this type for anything the client did wrong; the server renders it in the
/// ExceptionReport flavour of the protocol and version that was asked for.
public struct OGCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Code
    public var locator: String?
    public var message: String
    /// HTTP status; derived from the code unless set explicitly.
    public var status: Int

    public init(_ code: Code, locator: String? = nil, _ message: String, status: Int? = nil) {
        self.code = code
        self.locator = locator
        self.message = message
        self.status = status ?? code.defaultStatus
    }

    public var description: String { "\(code.rawValue)\(locator.map { " [\($0)]" } ?? ""): \(message)" }

    /// Exception codes of OWS Common, WMS, WFS and WMTS.
    public struct Code: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        // OWS Common
        public static let missingParameterValue: Code = "MissingParameterValue"
        public static let invalidParameterValue: Code = "InvalidParameterValue"
        public static let versionNegotiationFailed: Code = "VersionNegotiationFailed"
        public static let invalidUpdateSequence: Code = "InvalidUpdateSequence"
        public static let operationNotSupported: Code = "OperationNotSupported"
        public static let optionNotSupported: Code = "OptionNotSupported"
        public static let noApplicableCode: Code = "NoApplicableCode"
        // WFS 2.0
        public static let operationParsingFailed: Code = "OperationParsingFailed"
        public static let operationProcessingFailed: Code = "OperationProcessingFailed"
        public static let cannotLockAllFeatures: Code = "CannotLockAllFeatures"
        public static let responseCacheExpired: Code = "ResponseCacheExpired"
        // WMS
        public static let invalidFormat: Code = "InvalidFormat"
        public static let invalidCRS: Code = "InvalidCRS"
        public static let invalidSRS: Code = "InvalidSRS"
        public static let layerNotDefined: Code = "LayerNotDefined"
        public static let styleNotDefined: Code = "StyleNotDefined"
        public static let layerNotQueryable: Code = "LayerNotQueryable"
        public static let invalidPoint: Code = "InvalidPoint"
        public static let currentUpdateSequence: Code = "CurrentUpdateSequence"
        public static let missingDimensionValue: Code = "MissingDimensionValue"
        public static let invalidDimensionValue: Code = "InvalidDimensionValue"
        // WMTS
        public static let tileOutOfRange: Code = "TileOutOfRange"
        // Access control and limits (OWS NoApplicableCode family, but with their own status)
        public static let accessDenied: Code = "AccessDenied"
        public static let serviceUnavailable: Code = "ServiceUnavailable"
        public static let notFound: Code = "NotFound"

        public var defaultStatus: Int {
            switch self {
            case .noApplicableCode, .operationProcessingFailed: return 500
            case .operationNotSupported: return 501
            case .tileOutOfRange, .notFound: return 404
            case .accessDenied: return 403
            case .serviceUnavailable: return 503
            default: return 400
            }
        }
    }
}

extension OGCError {
    public static func missing(_ name: String) -> OGCError {
        OGCError(.missingParameterValue, locator: name, "Missing parameter \(name)")
    }
    public static func invalid(_ name: String, _ message: String) -> OGCError {
        OGCError(.invalidParameterValue, locator: name, message)
    }
}

/// An error of a lower layer (a data store, a tile store) that knows which OGC exception it is to a client:
/// services rethrow it and the server renders `ogcError`. The message it gives must not leak internals.
public protocol OGCErrorConvertible: Error {
    var ogcError: OGCError { get }
}
