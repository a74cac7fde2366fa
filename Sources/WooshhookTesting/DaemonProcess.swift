public import Foundation

/// The real `wooshhook` binary, started for a test on a free loopback port (`listen.port` 0; the port is read from
/// its "listening" log line), with its own temporary directory, configuration and journal. Its stderr goes to a
/// file the test can read. Stopped by PID.
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked: the process handle is only used from the test that owns this object.
    public let directory: URL
    public let configPath: String
    public let journalDirectory: String
    public let logPath: String
    public private(set) var port: Int = 0
    private var process: SpawnedProcess?

    /// The secret every test configuration uses unless it sets its own.
    public static let secret = "whsec_test_secret_for_wooshhook_tests"

    /// Writes a configuration (`overrides` are merged into a default test configuration) in a new temporary folder.
    public init(overrides: [String: Any] = [:], directory: URL? = nil) throws {
        let folder =
            directory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("wooshhook-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.directory = folder
        configPath = folder.appendingPathComponent("config.json").path
        // `journal.directory` of the overrides when they set one (a power-cut test puts it on a mounted disk).
        let journal = (overrides["journal"] as? [String: Any])?["directory"] as? String ?? "journal"
        journalDirectory = journal.hasPrefix("/") ? journal : folder.appendingPathComponent(journal).path
        logPath = folder.appendingPathComponent("daemon.log").path
        var config: [String: Any] = [
            "listen": ["host": "127.0.0.1", "port": 0],
            "secrets": [Self.secret],
            "journal": ["directory": "journal", "fsync": "always"],
            "workers": 2,
            "log_level": "debug",
        ]
        config.merge(overrides) { _, new in new }
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: configPath))
    }

    /// Starts `wooshhook serve` and waits until it listens.
    public func start(environment extra: [String: String] = [:], timeout: TimeInterval = 20) throws {
        let known = logLines().count
        try launch(environment: extra)
        try waitUntilListening(after: known, timeout: timeout)
    }

    /// Starts `wooshhook serve` (behind `wrapper`, e.g. `systemd-socket-activate -l …`, when given) without waiting.
    public func launch(environment extra: [String: String] = [:], wrapper: [String] = []) throws {
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw TestFailure("cannot open \(logPath): \(String(cString: strerror(errno)))") }
        defer { close(log) }
        let command = [try WooshhookBinary.path(), "serve", "--config", configPath]
        let executable = wrapper.isEmpty ? command[0] : "/usr/bin/env"
        let arguments = wrapper.isEmpty ? Array(command.dropFirst()) : wrapper + command
        process = try SpawnedProcess(executable, arguments, environment: extra, stdout: log, stderr: log)
    }

    /// Waits for the "listening" log line after the first `known` lines and reads the port from it.
    public func waitUntilListening(after known: Int = 0, timeout: TimeInterval = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for line in logLines().dropFirst(known)
            where line.contains(" listening ") || line.contains("\"msg\":\"listening\"") {
                if let range = line.range(of: "port=") {
                    port = Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
                }
                if port > 0 { return }
            }
            if let process, !process.isRunning {
                throw TestFailure(
                    "wooshhook exited with \(process.terminationStatus ?? -1) before listening:\n\(log(tail: 20))")
            }
            usleep(20_000)
        }
        throw TestFailure("wooshhook did not listen within \(timeout) s:\n\(log(tail: 20))")
    }

    /// The exit status once the process has ended (waiting at most `timeout`), nil while it runs.
    public func exitStatus(timeout: TimeInterval = 10) -> Int32? {
        process?.wait(timeout: timeout)
    }

    /// Sends `signal` and waits for the exit; returns the exit status (9 when it had to be killed after `timeout`).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 20) -> Int32 {
        guard let process else { return -1 }
        process.send(signal)
        let status = process.wait(timeout: timeout) ?? process.kill() ?? -1
        self.process = nil
        return status
    }

    /// The PID of the running daemon.
    public var pid: Int32? { process?.pid }

    public var isRunning: Bool { process?.isRunning ?? false }

    /// The log written so far, line by line.
    public func logLines() -> [String] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    public func log(tail count: Int) -> String {
        logLines().suffix(count).joined(separator: "\n")
    }

    /// Every journal line, in order, across segments.
    public func journalLines(subdirectory: String? = nil) -> [String] {
        let folder = subdirectory.map { "\(journalDirectory)/\($0)" } ?? journalDirectory
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }.sorted()
        return names.flatMap { name -> [String] in
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)") else { return [] }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    /// Kills a running daemon (with whatever it started) and removes the folder.
    public func cleanUp() {
        process?.kill()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A failure of the test harness itself, with what to look at.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
