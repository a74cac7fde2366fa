import ArgumentParser
import Foundation
import SystemSupport
import WooshPay
import WooshhookDaemon

extension WooshhookCommand {
    /// The last rejected requests from the rejection log, oldest first.
    struct Rejections: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the last rejected requests (from <journal>/rejections/), oldest first.")

        @Option(name: .short, help: "How many rejections.")
        var n = 10

        @Flag(name: .shortAndLong, help: "Keep printing new rejections as they are logged, until SIGINT or SIGTERM.")
        var follow = false

        @Option(name: .long, help: "Only this error.code (repeatable), e.g. signature_mismatch.")
        var code: [String] = []

        @Option(name: .long, help: "Only rejections at or after WHEN: RFC 3339, a date, or an age (90s, 15m, 2h, 7d).")
        var since: String?

        @Flag(name: .long, help: "Print the log's records themselves, one JSON line each, unchanged.")
        var json = false

        @OptionGroup var journalOptions: JournalOptions

        func validate() throws {
            guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
            let known = Set(RejectionCode.allCases.map(\.rawValue))
            for code in code where !known.contains(code) {
                throw ValidationError(
                    "--code \(code): not a rejection code; one of \(RejectionCode.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if let since, TimeExpression.parse(since, nowMilliseconds: SystemClock.nowMilliseconds()) == nil {
                throw ValidationError(
                    "--since \(since): use RFC 3339 (2026-11-21T10:00:00Z), a date (2026-11-21) or an age (90s, 15m, 2h, 7d)"
                )
            }
        }

        func run() throws {
            let directory = try journalOptions.directory()
            guard FileManager.default.fileExists(atPath: directory) else {
                Console.error("no journal at \(directory) (give --journal DIR or --config PATH)")
                throw ExitCode.failure
            }
            let reader = RejectionLogReader(journalDirectory: directory)
            let sinceMilliseconds = since.flatMap {
                TimeExpression.parse($0, nowMilliseconds: SystemClock.nowMilliseconds())
            }
            let codes = Set(code)
            let matches: (RejectionRecord) -> Bool = { record in
                (codes.isEmpty || codes.contains(record.code))
                    && (sinceMilliseconds.map { since in (record.timeMilliseconds ?? 0) >= since } ?? true)
            }
            // Positioned before the last records are read, so nothing logged in between is missed.
            let follower = follow ? RejectionLogFollower(reader: reader) : nil
            let colour = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            for record in reader.allRecords().filter(matches).suffix(n) { print(record, colour: colour) }
            if let follower { followNewRecords(follower, matches: matches, colour: colour) }
        }

        private func print(_ record: RejectionRecord, colour: Bool) {
            if json {
                Console.line(record.line)
            } else {
                Console.line(RejectionLine.human(record, colour: colour))
            }
        }

        /// Polls every 200 ms; SIGINT and SIGTERM are blocked and awaited with `sigtimedwait`, so they end it at
        /// once and cleanly (exit 0).
        private func followNewRecords(
            _ follower: RejectionLogFollower, matches: (RejectionRecord) -> Bool, colour: Bool
        ) {
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            sigaddset(&signals, SIGTERM)
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            var pause = timespec(tv_sec: 0, tv_nsec: 200_000_000)
            while sigtimedwait(&signals, nil, &pause) < 0 {
                for record in follower.poll() where matches(record) { print(record, colour: colour) }
            }
        }
    }
}
