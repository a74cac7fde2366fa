import Foundation

/// The wall clock in epoch milliseconds (its text form is `RecordTime`'s).
public enum Timestamp {
    /// Now, in milliseconds since the epoch.
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
