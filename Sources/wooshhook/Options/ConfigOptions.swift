import ArgumentParser
import Foundation
import WooshhookDaemon

/// `--config PATH`, defaulting to `$WOOSHHOOK_CONFIG`, else /etc/wooshhook/config.json.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $WOOSHHOOK_CONFIG, else /etc/wooshhook/config.json).")
    var config: String?

    var path: String {
        config ?? ConfigurationLoader.defaultPath(environment: ProcessInfo.processInfo.environment)
    }

    /// Loads the configuration, or prints the problem and exits 78.
    func load() throws -> Configuration {
        do {
            return try ConfigurationLoader.load(path: path, environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.error("configuration error: \(error)")
            throw ExitCode.configuration
        }
    }
}
