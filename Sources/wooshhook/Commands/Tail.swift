import ArgumentParser
import Journal
import WooshhookDaemon

extension WooshhookCommand {
    /// The last records of the journal, oldest first.
    struct Tail: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the last journal records, oldest first.")

        @Option(name: .short, help: "How many records.")
        var n = 10

        @Flag(name: .long, help: "Print the journal records themselves, one JSON line each, unchanged.")
        var json = false

        @Flag(name: .long, help: "Read the quarantine instead of the journal.")
        var quarantine = false

        @OptionGroup var journalOptions: JournalOptions

        func validate() throws {
            guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
        }

        func run() throws {
            var directory = try journalOptions.directory()
            if quarantine { directory += "/quarantine" }
            let records: [JournalRecord]
            do {
                records = try JournalReader(directory: directory).lastRecords(n)
            } catch {
                Console.error("\(error)")
                throw ExitCode.failure
            }
            for record in records {
                if json {
                    Console.line(record.line)
                } else {
                    Console.line(RecordLine.human(record))
                }
            }
        }
    }
}
