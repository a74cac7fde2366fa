import Foundation

/// The time a `HandlerRunner` waits by between the attempts of a failing event. The daemon uses `SystemHandlerClock`;
/// the unit tests give the runner a clock that notes each wait and moves its own time on at once, so the backoff
/// schedule and the dead letter after the last attempt are checked without sleeping.
protocol HandlerClock: Sendable {
    /// The current time.
    var now: Date { get }

    /// Waits until `deadline` or until `condition` is signalled, whichever comes first, as `NSCondition.wait(until:)`
    /// does: the caller holds `condition`'s lock, and checks again what it waits for (a stop) when this returns.
    func sleep(until deadline: Date, wakingOn condition: NSCondition)
}

/// The wall clock, and a real wait on the runner's condition, so that a stop ends a backoff at once.
struct SystemHandlerClock: HandlerClock {
    var now: Date { Date() }

    func sleep(until deadline: Date, wakingOn condition: NSCondition) {
        _ = condition.wait(until: deadline)
    }
}
