import ArgumentParser
import Journal
import WooshhookDaemon

extension WooshhookCommand {
    /// One record's metadata and its body, pretty-printed.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a journaled event: its record's metadata and the body, pretty-printed. Exit 1 if unknown.")

        @Argument(help: "The event id (evt_…).")
        var eventID: String

        @Flag(name: .long, help: "Look in the quarantine instead of the journal.")
        var quarantine = false

        @OptionGroup var journalOptions: JournalOptions

        func run() throws {
            var directory = try journalOptions.directory()
            if quarantine { directory += "/quarantine" }
            let found: JournalRecord?
            do {
                found = try JournalReader(directory: directory).newestRecord(
                    withEventID: eventID, damaged: Console.skipping)
            } catch {
                Console.error("\(error)")
                throw ExitCode.failure
            }
            guard let record = found else {
                Console.error("\(eventID) is not in the journal at \(directory)")
                throw ExitCode.failure
            }
            Console.line("seq:          \(record.seq)")
            Console.line("event_id:     \(record.eventID)")
            Console.line("type:         \(record.type)")
            Console.line("received_at:  \(record.receivedAt)")
            Console.line("livemode:     \(record.livemode.map { "\($0)" } ?? "null")")
            Console.line("created:      \(record.created.map { "\($0)" } ?? "null")")
            Console.line("remote_addr:  \(record.remoteAddr ?? "null")")
            Console.line("signature_t:  \(record.signatureT ?? "null")")
            Console.line("sha256:       \(record.sha256)")
            if let reason = record.reason { Console.line("reason:       \(reason)") }
            Console.line("")
            Console.line(JSONPrettyPrinter.format(record.body))
        }
    }
}
