import Config
import ServiceKit

/// The service that answers each kind of endpoint URL.
public struct ServiceSet: Sendable {
    public var wfs: (any OGCService)?
    /// WMS-VECTOR and WMS-RASTER endpoints alike.
    public var wms: (any OGCService)?
    public var wmts: (any OGCService)?
    public var tms: (any OGCService)?

    public init(wfs: (any OGCService)? = nil, wms: (any OGCService)? = nil, wmts: (any OGCService)? = nil,
                tms: (any OGCService)? = nil) {
        self.wfs = wfs; self.wms = wms; self.wmts = wmts; self.tms = tms
    }

    /// The service for an endpoint reached through one of its URLs (`urlType`: WMS, WFS, WMTS, TMS).
    public func service(for endpoint: Endpoint, urlType: String) -> (any OGCService)? {
        switch endpoint.type {
        case .wfs: wfs
        case .wmsVector, .wmsRaster: wms
        case .wmtsTms: urlType == "TMS" ? tms : wmts
        }
    }
}
