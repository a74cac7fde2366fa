public import Journal

/// Something that acts on journaled events after the 200 (README, "Handlers"). Any type can adopt it; `HandlerRegistry`
/// is the one place that maps a configured `kind` to a type. `handle` runs on the handler's own thread, one event at a
/// time, in journal order; throwing has the event retried with backoff, then dead-lettered after `max_attempts`.
public protocol EventHandler: Sendable {
    /// Called once per delivery attempt. The record holds the exact body, its id, type and seq.
    func handle(_ record: JournalRecord) throws(HandlerFailure)

    /// Called when the daemon stops or reloads: give back what the handler holds. Optional.
    func shutDown()

    /// How many events `handle(batch:)` takes at once when the handler is behind; 1 (the default) means one at a
    /// time. A handler whose unit of work has a fixed cost (a database commit) gains by taking more.
    var batchLimit: Int { get }

    /// All of `batch` (in journal order), or throw: the runner then handles the batch's events one by one with
    /// the usual retries, so one bad event cannot hold back the others. Handling twice must be harmless.
    func handle(batch: [JournalRecord]) throws(HandlerFailure)
}

extension EventHandler {
    public func shutDown() {}

    public var batchLimit: Int { 1 }

    public func handle(batch: [JournalRecord]) throws(HandlerFailure) {
        for record in batch { try handle(record) }
    }
}

/// Why one attempt failed, as the operator will read it in the log and the dead-letter file.
public struct HandlerFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
