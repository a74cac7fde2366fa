import Foundation
import Journal

/// The WHEN of `--since`/`--until` (README, "Commands"): RFC 3339 (`2026-11-21T10:00:00Z`), a date (`2026-11-21`,
/// midnight UTC), or an age before now (`90s`, `15m`, `2h`, `7d`).
public enum TimeExpression {
    /// Epoch milliseconds, or nil when `text` is none of the three forms.
    public static func parse(_ text: String, nowMilliseconds: Int64) -> Int64? {
        if let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 {
            let unitMilliseconds: Int64?
            switch unit {
            case "s": unitMilliseconds = 1000
            case "m": unitMilliseconds = 60_000
            case "h": unitMilliseconds = 3_600_000
            case "d": unitMilliseconds = 86_400_000
            default: unitMilliseconds = nil
            }
            if let unitMilliseconds {
                // An age beyond what Int64 milliseconds can hold is not a time: refused like any other bad value.
                let (age, overflow) = amount.multipliedReportingOverflow(by: unitMilliseconds)
                let (then, before) = nowMilliseconds.subtractingReportingOverflow(age)
                return overflow || before ? nil : then
            }
        }
        if text.count == 10, let midnight = RecordTime.milliseconds(text + "T00:00:00.000Z") { return midnight }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        return nil
    }
}
