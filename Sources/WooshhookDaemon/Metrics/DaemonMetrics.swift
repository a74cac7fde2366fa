import Metrics
import Prometheus
import Synchronization
import WooshPay

/// The daemon's Prometheus metrics (`/metrics`, listed in the README). Counters for the closed set of outcomes are made
/// once at start: creating a swift-metrics handle takes the factory's lock, which must not happen per request.
public final class DaemonMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let outcomes: [String: Metrics.Counter]
    private let eventTypes = Mutex<[String: Metrics.Counter]>([:])
    private let duplicates: Metrics.Counter
    private let quarantined: Metrics.Counter
    private let requestLatency: Metrics.Timer

    /// Outcome label of an accepted event.
    public static let acceptedOutcome = "accepted"
    /// Outcome label of a duplicate delivery.
    public static let duplicateOutcome = "duplicate"

    /// Bootstraps swift-metrics with a Prometheus registry. Call once per process.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .seconds(1), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        self.registry = registry
        var outcomes: [String: Metrics.Counter] = [:]
        for code in RejectionCode.allCases.map(\.rawValue) + [Self.acceptedOutcome, Self.duplicateOutcome] {
            outcomes[code] = Metrics.Counter(label: "wooshhook_requests_total", dimensions: [("outcome", code)])
        }
        self.outcomes = outcomes
        duplicates = Metrics.Counter(label: "wooshhook_duplicates_total")
        quarantined = Metrics.Counter(label: "wooshhook_quarantined_total")
        requestLatency = Metrics.Timer(label: "wooshhook_request_duration_seconds")
    }

    /// Counts one answered webhook request by its outcome (`accepted`, `duplicate` or a rejection code).
    public func countRequest(outcome: String, latencyNanoseconds: Int64) {
        outcomes[outcome]?.increment()
        requestLatency.recordNanoseconds(latencyNanoseconds)
        if outcome == Self.duplicateOutcome { duplicates.increment() }
    }

    /// Counts one journaled event by its type.
    public func countEvent(type: String) {
        let counter = eventTypes.withLock { counters in
            if let counter = counters[type] { return counter }
            let counter = Metrics.Counter(label: "wooshhook_events_total", dimensions: [("type", type)])
            counters[type] = counter
            return counter
        }
        counter.increment()
    }

    /// Counts one event written to the quarantine.
    public func countQuarantined() { quarantined.increment() }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
