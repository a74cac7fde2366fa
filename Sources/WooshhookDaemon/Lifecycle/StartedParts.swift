/// The parts `serve` has started, each with how it stops: the idea of swift-service-lifecycle's `ServiceGroup`, in
/// miniature and synchronous. Each clean-up is written once, beside the start it undoes, and `stopAll` (from a
/// `defer`) stops whatever is still running newest first, so a part that cannot start leaves none of the parts
/// before it running, whichever it is.
struct StartedParts<Part: Equatable> {
    private var running: [(part: Part, stop: () -> Void)] = []

    /// Starts one part; once `start` returns, `stop` is what undoes it. A part whose start throws is not running
    /// and is not stopped.
    mutating func start<Value>(
        _ part: Part, _ start: () throws(DaemonError) -> Value, stop: @escaping (Value) -> Void
    ) throws(DaemonError) -> Value {
        let value = try start()
        running.append((part, { stop(value) }))
        return value
    }

    /// Stops the given parts in the order given, when an order other than newest first is needed; parts not running
    /// are skipped, and a part is never stopped twice.
    mutating func stop(_ parts: [Part]) {
        for part in parts {
            guard let index = running.lastIndex(where: { $0.part == part }) else { continue }
            running.remove(at: index).stop()
        }
    }

    /// Stops every part still running, newest first.
    mutating func stopAll() {
        while let last = running.popLast() { last.stop() }
    }
}
