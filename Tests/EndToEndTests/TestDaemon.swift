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

/// Waits until `follower`, a `-f` command that prints nothing until something new arrives, is following: it sends a
/// marker (`send(n)` makes the n-th and returns what identifies its line) until a line appears, then one more, and
/// reads up to that one, so the next line the follower prints is the first thing sent after this returns.
func waitUntilFollowing(
    _ follower: BackgroundCommand, timeout: TimeInterval = 10, send: (Int) throws -> String
) throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    var sent = 0
    while Date() < deadline {
        _ = try send(sent)
        sent += 1
        guard follower.readLine(timeout: 0.25) != nil else { continue }
        let last = try send(sent)
        while let line = follower.readLine(timeout: max(0.1, deadline.timeIntervalSinceNow)) {
            if line.contains(last) { return true }
        }
        return false
    }
    return false
}
