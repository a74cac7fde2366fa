import ArgumentParser
import Foundation
import Journal
import WooshhookDaemon

extension WooshhookCommand {
    /// The last matching records of the journal, oldest first.
    struct Tail: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the last journal records, oldest first (a damaged line is skipped with a warning).")

        @Option(name: .short, help: "How many records.")
        var n = 10

        @Flag(name: .shortAndLong, help: "Keep printing new records as they are journaled, until SIGINT or SIGTERM.")
        var follow = false

        @Flag(name: .long, help: "Print the journal records themselves, one JSON line each, unchanged.")
        var json = false

        @Flag(name: .long, help: "Read the quarantine instead of the journal.")
        var quarantine = false

        @OptionGroup var filterOptions: RecordFilterOptions

        @OptionGroup var journalOptions: JournalOptions

        func validate() throws {
            guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
        }

        func run() throws {
            var directory = try journalOptions.directory()
            if quarantine { directory += "/quarantine" }
            let filter = filterOptions.filter()
            let records: [JournalRecord]
            let follower: JournalFollower?
            do {
                // Positioned before the last records are read, so nothing journaled in between is missed.
                follower = follow ? try JournalFollower(directory: directory) : nil
                let reader = try JournalReader(directory: directory)
                if filter.isEmpty {
                    records = try reader.lastRecords(n, damaged: Console.skipping)
                } else {
                    var kept: [JournalRecord] = []
                    try reader.forEachRecord { result in
                        switch result {
                        case .success(let record) where filter.matches(record):
                            kept.append(record)
                            if kept.count > n { kept.removeFirst(kept.count - n) }
                        case .success: break
                        case .failure(let damage):
                            Console.skipping(damage)
                        }
                    }
                    records = kept
                }
            } catch {
                Console.error("\(error)")
                throw ExitCode.failure
            }
            let colour = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            for record in records { print(record, colour: colour) }
            if let follower {
                try followNewRecords(follower, after: records.last?.seq ?? 0, filter: filter, colour: colour)
            }
        }

        private func print(_ record: JournalRecord, colour: Bool) {
            if json {
                Console.line(record.line)
            } else {
                Console.line(RecordLine.human(record, colour: colour))
            }
        }

        /// Polls every 200 ms; SIGINT and SIGTERM are blocked and awaited with `sigtimedwait` so they end the loop
        /// cleanly (exit 0) instead of killing the process mid-line.
        private func followNewRecords(
            _ follower: JournalFollower, after printed: UInt64, filter: RecordFilter, colour: Bool
        ) throws {
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            sigaddset(&signals, SIGTERM)
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            var lastSeq = printed
            var pause = timespec(tv_sec: 0, tv_nsec: 200_000_000)
            while sigtimedwait(&signals, nil, &pause) < 0 {
                let found: [Result<JournalRecord, DamagedLine>]
                do {
                    found = try follower.poll()
                } catch {
                    Console.error("\(error)")
                    throw ExitCode.failure
                }
                for result in found {
                    switch result {
                    case .success(let record) where record.seq > lastSeq:
                        lastSeq = record.seq
                        if filter.matches(record) { print(record, colour: colour) }
                    case .success: break
                    case .failure(let damage):
                        Console.skipping(damage)
                    }
                }
            }
        }
    }
}
