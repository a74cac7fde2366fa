import ArgumentParser

extension WooshhookCommand {
    /// `wooshhook journal …`: maintenance of the journal itself.
    struct JournalCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "journal", abstract: "Inspect the journal itself.", subcommands: [Verify.self])
    }
}
