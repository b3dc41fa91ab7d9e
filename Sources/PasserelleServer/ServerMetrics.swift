
import Prometheus
import Synchronization

/// Prometheus metrics: requests by endpoint, operation and status; latency histograms; reloads; generation.
/// Recorded through swift-metrics, exported from one registry at `/metrics`.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let reloads: Counter
    private let reloadIssues: Gauge
    private let generation: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        reloads = registry.makeCounter(name: "passerelle_config_reloads_total", help: "Config reloads")
        reloadIssues = registry.makeGauge(name: "passerelle_config_errors", help: "Config files in error at the last reload")
        generation = registry.makeGauge(name: "passerelle_config_generation", help: "Config generation number")
    }

    private static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// The counter and histogram of one (endpoint, operation, status), made once: the registry's lookup builds
    /// label arrays and strings on every call.
    public struct Series: Sendable {
        let requests: Counter
        let latency: ValueHistogram

        public func record(_ duration: Duration) {
            requests.increment()
            latency.record(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        }
    }
    private let series = Mutex<[String: Series]>([:])

    public func series(endpoint: String, operation: String, status: Int) -> Series {
        let op = Self.operationLabel(operation)
        let key = endpoint + "\u{0}" + op + "\u{0}" + String(status)
        if let known = series.withLock({ $0[key] }) { return known }
        let s = Series(requests: registry.makeCounter(name: "passerelle_requests_total",
                                                      labels: [("endpoint", endpoint), ("operation", op), ("status", String(status))],
                                                      help: "HTTP requests answered"),
                       latency: registry.makeValueHistogram(name: "passerelle_request_duration_seconds",
                                                            labels: [("endpoint", endpoint), ("operation", op)],
                                                            buckets: Self.buckets, help: "Request latency"))
        series.withLock { $0[key] = s }
        return s
    }

    public func record(endpoint: String, operation: String, status: Int, duration: Duration) {
        series(endpoint: endpoint, operation: operation, status: status).record(duration)
    }

    public func recordReload(generation g: Int, issues: Int) {
        reloads.increment()
        reloadIssues.set(Double(issues))
        generation.set(Double(g))
    }

    public func setGeneration(_ g: Int, issues: Int) {
        reloadIssues.set(Double(issues))
        generation.set(Double(g))
    }

    private static let knownOperations: Set<String> = [
        "GetCapabilities", "GetMap", "GetFeatureInfo", "GetLegendGraphic", "DescribeFeatureType", "GetFeature",
        "GetPropertyValue", "ListStoredQueries", "DescribeStoredQueries", "GetTile", "Tile", "-"]

    /// Operation names are client input: keep the known ones, fold the rest (bounded label cardinality).
    static func operationLabel(_ op: String) -> String {
        if knownOperations.contains(op) { return op }
        let lower = op.lowercased()
        return knownOperations.first { $0.lowercased() == lower } ?? "other"
    }

    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
