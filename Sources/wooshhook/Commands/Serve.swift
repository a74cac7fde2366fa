import ArgumentParser
import Foundation
import Logging
import WooshhookDaemon

extension WooshhookCommand {
    /// Runs the daemon in the foreground until SIGTERM or SIGINT.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the webhook receiver in the foreground (SIGTERM/SIGINT stop it, SIGHUP reloads).")

        @OptionGroup var configOptions: ConfigOptions

        func run() throws {
            let configuration = try configOptions.load()
            let format = configuration.logFormat
            StderrLogHandler.sharedLevel.level = configuration.logLevel
            LoggingSystem.bootstrap { label in StderrLogHandler(label: label, format: format) }
            do {
                try Daemon.serve(configuration, environment: ProcessInfo.processInfo.environment)
            } catch {
                Logger(label: "wooshhook").critical("cannot serve: \(error.message)")
                throw ExitCode(error.exitCode)
            }
        }
    }
}
