import ArgumentParser

@main
struct WooshhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wooshhook", abstract: "WooshPay webhook receiver")
}
