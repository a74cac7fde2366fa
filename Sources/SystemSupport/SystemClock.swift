import Glibc

/// The clocks, read with `clock_gettime`: no allocation, no Foundation, cheap enough for every request. The daemon
/// reads them here for the times it writes down and for durations (a command's own `Date()` for a signature's
/// timestamp or a deadline is left as it is); a part whose timing is tested takes "now" as an argument instead
/// (`Verifier.checkFreshness(_:nowSeconds:)`, `TimeExpression.parse(_:nowMilliseconds:)`).
public enum SystemClock {
    /// The wall clock (`CLOCK_REALTIME`) in milliseconds since the epoch: for times that are written down
    /// (`received_at`, the rejection log, log lines; their text is `RecordTime`'s) and compared with them.
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// `CLOCK_MONOTONIC` in nanoseconds: for durations, which must not jump when the wall clock is set.
    public static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
