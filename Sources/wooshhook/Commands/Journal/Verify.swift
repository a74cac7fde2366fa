import ArgumentParser
import Journal

extension WooshhookCommand.JournalCommand {
    /// Checks every record (JSON, sha256, seq order) and prints a summary; exit 1 on damage.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record (JSON, sha256, seq order); exit 0 when clean, 1 when damage was found.")

        @OptionGroup var journalOptions: JournalOptions

        func run() throws {
            let directory = try journalOptions.directory()
            let report: JournalVerification
            do {
                report = try JournalVerifier.verify(directory: directory)
            } catch {
                Console.error("\(error)")
                throw ExitCode.failure
            }
            let range = report.records == 0 ? "none" : "\(report.firstSeq ?? 0)...\(report.lastSeq ?? 0)"
            Console.line("journal \(directory): \(report.segments) segments, \(report.records) records, seq \(range)")
            for damage in report.damage {
                Console.line(
                    "damaged: \(damage.segment) line \(damage.lineNumber) (offset \(damage.offset)): \(damage.reason)")
            }
            if report.isClean {
                Console.line("clean")
            } else {
                Console.line("\(report.damage.count) damaged lines")
                throw ExitCode.failure
            }
        }
    }
}
