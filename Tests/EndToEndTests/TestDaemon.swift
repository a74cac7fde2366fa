import Foundation
import WooshhookTesting

/// Starts a daemon for one test and always cleans it up.
func withDaemon<T>(
    _ overrides: [String: Any] = [:], environment: [String: String] = [:], _ body: (DaemonProcess) throws -> T
) throws -> T {
    let daemon = try DaemonProcess(overrides: overrides)
    defer { daemon.cleanUp() }
    try daemon.start(environment: environment)
    return try body(daemon)
}

/// Parses a journal line.
func record(_ line: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: TimeInterval = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
