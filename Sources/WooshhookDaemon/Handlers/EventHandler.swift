public import Journal

/// Something that acts on journaled events after the 200 (SPEC §4). Any type can adopt it; `HandlerRegistry` is
/// the one place that maps a configured `kind` to a type. `handle` runs on the handler's own thread, one event at
/// a time, in journal order; throwing has the event retried with backoff, then dead-lettered after `max_attempts`.
public protocol EventHandler: Sendable {
    /// Called once per delivery attempt. The record holds the exact body, its id, type and seq.
    func handle(_ record: JournalRecord) throws(HandlerFailure)

    /// Called when the daemon stops or reloads: give back what the handler holds. Optional.
    func shutDown()
}

extension EventHandler {
    public func shutDown() {}
}

/// Why one attempt failed, as the operator will read it in the log and the dead-letter file.
public struct HandlerFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
