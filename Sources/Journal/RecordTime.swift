/// The one RFC 3339 codec: UTC with milliseconds and `Z`, always 24 bytes, as the journal's `received_at`, the
/// rejection log's `time`, dead letters, the status page and the daemon's log lines write it. Built and parsed
/// without Foundation's formatters because it runs once per record on the hot path and per line when the dedupe
/// index is rebuilt. (The operator's `--since` takes more forms than this; `TimeExpression` reads those.)
public enum RecordTime {
    /// Appends `2026-11-21T10:15:30.123Z` for `milliseconds` since the epoch (years 0...9999).
    public static func append(_ milliseconds: Int64, to out: inout [UInt8]) {
        let millis = Int(((milliseconds % 1000) + 1000) % 1000)
        let totalSeconds = (milliseconds - Int64(millis)) / 1000
        var days = Int(totalSeconds / 86_400)
        var secondOfDay = Int(totalSeconds % 86_400)
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        appendDigits(year, 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(month, 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(millis, 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// The text form, for lines built as strings, messages and tests.
    public static func text(_ milliseconds: Int64) -> String {
        var bytes: [UInt8] = []
        append(milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff]Z` as the journal writes it; nil for anything else.
    static func seconds(_ text: some Collection<UInt8>) -> Int64? {
        Array(text).withUnsafeBytes { seconds($0) }
    }

    /// The same on bytes in place (the dedupe rebuild parses millions of these). Lenient on purpose: the fraction
    /// is not read, and a day past the month's end counts on into the next month.
    static func seconds(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        fields(bytes).map { Int64($0.days) * 86_400 + Int64($0.secondOfDay) }
    }

    /// Milliseconds since the epoch of exactly the form `append` writes, `YYYY-MM-DDTHH:MM:SS.mmmZ`: for the
    /// tools' `--since` filters over `received_at` and the rejection log's `time`. nil for any other text and for
    /// a day the calendar does not have (`2026-02-30`). A second of 60 is read as the next minute's first, except
    /// at 23:59:60, which would fall on the next day and is refused like any other day that does not exist.
    public static func milliseconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            guard bytes.count == 24, bytes[19] == UInt8(ascii: "."), let millis = number(bytes, 20, 3),
                let time = fields(bytes), civil(fromDays: time.days) == time.date, time.secondOfDay < 86_400
            else { return nil }
            return (Int64(time.days) * 86_400 + Int64(time.secondOfDay)) * 1000 + Int64(millis)
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS…Z` read with each number in its range (a day of 1...31 in any month, a second up to
    /// 60): the days since the epoch of the date (a day past the month's end counted on), the date as written, and
    /// the second of the day (86,400 only for 23:59:60).
    private static func fields(
        _ bytes: UnsafeRawBufferPointer
    ) -> (days: Int, date: (Int, Int, Int), secondOfDay: Int)? {
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[bytes.count - 1] == UInt8(ascii: "Z"),
            let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
            let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return (days, (year, month, day), hour * 3600 + minute * 60 + second)
    }

    private static func number(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<start + count {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func appendDigits(_ value: Int, _ width: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    // Howard Hinnant's algorithms: exact proleptic Gregorian conversions without tables or time zones.
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
