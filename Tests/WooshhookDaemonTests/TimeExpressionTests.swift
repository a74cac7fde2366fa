import Testing

@testable import WooshhookDaemon

/// The WHEN of `--since` and `--until` (README, "Commands"), against a fixed "now": an age before now, a date
/// (midnight UTC) or an RFC 3339 time; anything else is refused.
@Suite struct TimeExpressionTests {
    /// 2025-11-29T12:40:00.000Z.
    static let now: Int64 = 1_764_420_000_000
    /// 2026-11-21T00:00:00Z and 10:00:00Z.
    static let midnight: Int64 = 1_795_219_200_000
    static let tenOClock: Int64 = 1_795_255_200_000

    static func parse(_ text: String, now: Int64 = now) -> Int64? {
        TimeExpression.parse(text, nowMilliseconds: now)
    }

    @Test func anAgeIsCountedBackFromNow() {
        #expect(Self.parse("90s") == Self.now - 90_000)
        #expect(Self.parse("10m") == Self.now - 600_000)
        #expect(Self.parse("15m") == Self.now - 900_000)
        #expect(Self.parse("2h") == Self.now - 7_200_000)
        #expect(Self.parse("7d") == Self.now - 604_800_000)
        #expect(Self.parse("0s") == Self.now)
        #expect(Self.parse("0d") == Self.now)
        #expect(Self.parse("007m") == Self.now - 420_000)
        #expect(Self.parse("2h", now: 7_200_000) == 0)
        #expect(Self.parse("2h", now: 0) == -7_200_000, "before the epoch is still a time")
    }

    @Test func aDateOrAnRFC3339TimeDoesNotDependOnNow() {
        for now in [Self.now, 0, Self.tenOClock + 86_400_000] {
            #expect(Self.parse("2026-11-21", now: now) == Self.midnight)
            #expect(Self.parse("2026-11-21T10:00:00Z", now: now) == Self.tenOClock)
        }
        #expect(Self.parse("2026-11-21T10:00:00.250Z") == Self.tenOClock + 250)
        #expect(Self.parse("2026-11-21T11:30:00+01:30") == Self.tenOClock)
        #expect(Self.parse("2026-11-21T08:00:00-02:00") == Self.tenOClock)
        #expect(Self.parse("2024-02-29") == 1_709_164_800_000, "a leap day")
    }

    @Test(arguments: [
        "", "s", "m", "10", "-5m", "1.5h", "5 m", " 5m", "5m ", "10w", "5M", "2H", "ten minutes", "now",
        "yesterday", "2026-02-30", "2026-13-01", "2026-11-32", "2026-1-21", "21-11-2026", "2026/11/21",
        "2026-11-21T10:00:00", "2026-11-21T25:00:00Z", "2026-11-21 10:00", "9223372036854775807s",
        "106751991167301d",
    ])
    func anythingElseIsRefused(text: String) {
        #expect(Self.parse(text) == nil)
    }

    /// An age that reaches before the earliest time Int64 milliseconds can hold is refused, not wrapped around.
    @Test func anAgeTooLargeToSubtractIsRefused() {
        #expect(Self.parse("1s", now: .min) == nil)
        #expect(Self.parse("0s", now: .min) == .min)
        #expect(Self.parse("106751991167d", now: 0) != nil)
    }
}
