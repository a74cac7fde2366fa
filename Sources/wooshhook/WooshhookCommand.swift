import ArgumentParser
import WooshhookDaemon

/// The `wooshhook` command: the subcommand list and nothing else.
@main
struct WooshhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wooshhook",
        abstract: "Receives WooshPay webhooks, journals every event durably before answering, and replays them.",
        version: WooshhookVersion.current,
        subcommands: [
            Serve.self, CheckConfig.self, Tail.self, Rejections.self, Show.self, Replay.self, JournalCommand.self,
            Sign.self, Send.self,
        ]
    )
}
