import ArgumentParser
import Foundation
import WooshhookDaemon

/// Where a reader finds the journal: `--journal DIR`, else `journal.directory` of the configuration.
struct JournalOptions: ParsableArguments {
    @Option(name: .long, help: "Journal directory (instead of reading it from the configuration).")
    var journal: String?

    @OptionGroup var configOptions: ConfigOptions

    /// The journal directory to read.
    func directory() throws -> String {
        if let journal { return journal }
        return try configOptions.load().journal.directory
    }
}
