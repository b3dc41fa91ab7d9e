import Config
import ServiceKit

/// The service that answers each kind of endpoint URL.
public struct ServiceSet: Sendable {
    public var wfs: (any OGCService)?
    public var wmsVector: (any OGCService)?
    public var wmts: (any OGCService)?
    public var tms: (any OGCService)?
    public var wmsRaster: (any OGCService)?

    public init(wfs: (any OGCService)? = nil, wmsVector: (any OGCService)? = nil, wmts: (any OGCService)? = nil,
                tms: (any OGCService)? = nil, wmsRaster: (any OGCService)? = nil) {
        self.wfs = wfs; self.wmsVector = wmsVector; self.wmts = wmts; self.tms = tms; self.wmsRaster = wmsRaster
    }

    /// The service for an endpoint reached through one of its URLs (`urlType`: WMS, WFS, WMTS, TMS).
    public func service(for endpoint: Endpoint, urlType: String) -> (any OGCService)? {
        switch endpoint.type {
        case .wfs: wfs
        case .wmsVector: wmsVector
        case .wmsRaster: wmsRaster
        case .wmtsTms: urlType == "TMS" ? tms : wmts
        }
    }
}
