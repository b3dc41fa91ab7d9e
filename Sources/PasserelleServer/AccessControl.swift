import Config
import HTTPTypes
import Hummingbird
import OGCCore

/// Decides, in one place, which offerings of an endpoint a request may see.
///
/// Open endpoints serve their available offerings to everyone. On a private endpoint, offerings marked
/// `open: true` are served to everyone; the others only to a request carrying a valid key granted to them.
/// A request to a private endpoint with no key at all is refused (401), as the Géoplateforme does.
public struct AccessControl: Sendable {
    public init() {}

    public struct Decision: Sendable {
        public var layers: [Published]
        /// Identifies the set of visible layers (for caches of documents that depend on it).
        public var visibilityKey: String
        /// The key's id, for the access log (never the key itself).
        public var keyID: String?
        /// Query parameters to keep in advertised URLs (the key).
        public var persistentQuery: [(String, String)]
        /// true when the answer depends on the key (Cache-Control: private).
        public var variesByKey: Bool
    }

    /// The key a request carries: `apikey` query parameter, or the `apikey` / `X-Api-Key` header.
    public static func presentedKey(kvp: KVP, headers: HTTPFields) -> String? {
        if let k = kvp.nonEmpty("APIKEY") { return k }
        for name in ["apikey", "X-Api-Key", "X-Key"] {
            if let n = HTTPField.Name(name), let v = headers[n], !v.isEmpty { return v }
        }
        return nil
    }

    /// What a page may list on an endpoint for this request: what `decide` grants, else (no key, a wrong or
    /// expired one) the open offerings only; never an error.
    public func visibleLayers(snapshot: ConfigSnapshot, endpoint: Endpoint, kvp: KVP, headers: HTTPFields) -> [Published] {
        if let decision = try? decide(snapshot: snapshot, endpoint: endpoint, kvp: kvp, headers: headers) { return decision.layers }
        return snapshot.published(on: endpoint.id).filter(\.offering.open)
    }

    public func decide(snapshot: ConfigSnapshot, endpoint: Endpoint, kvp: KVP, headers: HTTPFields) throws(OGCError) -> Decision {
        let all = snapshot.published(on: endpoint.id)
        if endpoint.open {
            return Decision(layers: all, visibilityKey: "open", keyID: nil, persistentQuery: [], variesByKey: false)
        }
        guard let presented = Self.presentedKey(kvp: kvp, headers: headers) else {
            throw OGCError(.accessDenied, "This endpoint requires an API key (apikey parameter)", status: 401)
        }
        guard let key = snapshot.keys.match(presented), key.isValid(at: snapshot.now) else {
            throw OGCError(.accessDenied, "Invalid or expired API key", status: 403)
        }
        let granted = snapshot.grantedOfferings(for: key)
        let layers = all.filter { $0.offering.open || granted.contains($0.offering.id) }
        let visibility = "key:" + key.id + ":" + layers.map(\.offering.id).joined(separator: ",")
        return Decision(layers: layers, visibilityKey: visibility, keyID: key.id,
                        persistentQuery: [("apikey", presented)], variesByKey: true)
    }
}
