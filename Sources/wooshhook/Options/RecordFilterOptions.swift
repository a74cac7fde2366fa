import ArgumentParser
import SystemSupport
import WooshhookDaemon

/// `--type`, `--id`, `--since` (and for replay `--until`): which records a reader picks.
struct RecordFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only this event type (repeatable).")
    var type: [String] = []

    @Option(name: .long, help: "Only this event id (repeatable).")
    var id: [String] = []

    @Option(
        name: .long, help: "Only records received at or after WHEN: RFC 3339, a date, or an age (90s, 15m, 2h, 7d).")
    var since: String?

    func validate() throws {
        if let since, TimeExpression.parse(since, nowMilliseconds: SystemClock.nowMilliseconds()) == nil {
            throw ValidationError(
                "--since \(since): use RFC 3339 (2026-11-21T10:00:00Z), a date (2026-11-21) or an age (90s, 15m, 2h, 7d)"
            )
        }
    }

    func filter(until: String? = nil) -> RecordFilter {
        let now = SystemClock.nowMilliseconds()
        var filter = RecordFilter()
        filter.types = Set(type)
        filter.ids = Set(id)
        filter.sinceMilliseconds = since.flatMap { TimeExpression.parse($0, nowMilliseconds: now) }
        filter.untilMilliseconds = until.flatMap { TimeExpression.parse($0, nowMilliseconds: now) }
        return filter
    }
}
