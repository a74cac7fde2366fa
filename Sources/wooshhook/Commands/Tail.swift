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
            do {
                let reader = try JournalReader(directory: directory)
                if filter.isEmpty {
                    records = try reader.lastRecords(n)
                } else {
                    var kept: [JournalRecord] = []
                    try reader.forEachRecord { result in
                        switch result {
                        case .success(let record) where filter.matches(record):
                            kept.append(record)
                            if kept.count > n { kept.removeFirst(kept.count - n) }
                        case .success: break
                        case .failure(let damage):
                            Console.warning("skipping damaged line \(damage.lineNumber) of \(damage.segment): \(damage.reason)")
                        }
                    }
                    records = kept
                }
            } catch {
                Console.error("\(error)")
                throw ExitCode.failure
            }
            let colour = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            for record in records {
                if json {
                    Console.line(record.line)
                } else {
                    Console.line(RecordLine.human(record, colour: colour))
                }
            }
        }
    }
}
