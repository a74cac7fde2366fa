import Logging
import Testing
import WooshhookDaemon

/// The level a SIGHUP sets must stay: swift-log makes a new handler for every `Logger` made at any time.
@Suite(.serialized) struct StderrLogHandlerTests {
    @Test func aLoggerMadeAfterAReloadKeepsTheReloadedLevel() {
        StderrLogHandler.sharedLevel.level = .debug
        let early = Logger(label: "early") { StderrLogHandler(label: $0, format: .text) }
        #expect(early.logLevel == .debug)
        // What `serve` does on SIGHUP with "log_level": "warning".
        StderrLogHandler.sharedLevel.level = .warning
        let late = Logger(label: "late") { StderrLogHandler(label: $0, format: .json) }
        #expect(late.logLevel == .warning)
        #expect(early.logLevel == .warning)
        #expect(StderrLogHandler.sharedLevel.level == .warning)
        StderrLogHandler.sharedLevel.level = .info
    }
}
