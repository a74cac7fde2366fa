import ArgumentParser
import WooshhookDaemon

extension WooshhookCommand {
    /// Validates the configuration and prints the effective values, secrets masked.
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Validate the configuration and print the effective settings (secrets masked). Exit 0 or 78.")

        @OptionGroup var configOptions: ConfigOptions

        func run() throws {
            let configuration = try configOptions.load()
            for line in ConfigurationSummary.lines(of: configuration) {
                Console.line(line)
            }
            if configuration.secrets.contains(where: Configuration.isPlaceholder) {
                Console.warning("a secret is the placeholder from config.example.json; serve refuses it off loopback")
            }
        }
    }
}
