import Synchronization

/// Counters that show every request ends in exactly one reply (sent, or dropped because the client left).
public struct ServerStatistics: Sendable, Equatable {
    public let requestsReceived: Int
    public let responsesSent: Int
    public let responsesDropped: Int
    public let openConnections: Int
}

/// The live counters behind `ServerStatistics`, shared by every worker.
final class ServerCounters: Sendable {
    let requestsReceived = Atomic<Int>(0)
    let responsesSent = Atomic<Int>(0)
    let responsesDropped = Atomic<Int>(0)
    let openConnections = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)

    var snapshot: ServerStatistics {
        ServerStatistics(
            requestsReceived: requestsReceived.load(ordering: .relaxed),
            responsesSent: responsesSent.load(ordering: .relaxed),
            responsesDropped: responsesDropped.load(ordering: .relaxed),
            openConnections: openConnections.load(ordering: .relaxed))
    }
}
