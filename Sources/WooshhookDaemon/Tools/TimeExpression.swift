import Foundation

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
        if text.count == 10, let midnight = parseRecordTime(text + "T00:00:00.000Z") { return midnight }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        return nil
    }

    /// Parses the journal's own `received_at` form, `YYYY-MM-DDTHH:MM:SS.mmmZ`, without a formatter (it runs per record).
    public static func parseRecordTime(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
            bytes[16] == 0x3A, bytes[19] == 0x2E, bytes[23] == 0x5A
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let millis = number(20..<23), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        var seconds = timegm(&parts)
        // timegm rolls 2026-02-30 over into March: a date that does not come back unchanged does not exist.
        var check = tm()
        gmtime_r(&seconds, &check)
        guard check.tm_mday == Int32(day), check.tm_mon == Int32(month - 1) else { return nil }
        return Int64(seconds) * 1000 + Int64(millis)
    }
}
