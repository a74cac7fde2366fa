public import Foundation

/// A long-running command (`wooshhook tail -f`, a capture server) whose stdout a test reads line by line with a
/// deadline; stopped by PID.
public final class BackgroundCommand: @unchecked Sendable {
    // @unchecked: used only from the test that owns it.
    private let process = Process()
    private let output = Pipe()
    private var buffer: [UInt8] = []

    /// Starts `executable` with `arguments`; stderr goes to the test's stderr.
    public init(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardOutput = output
        try process.run()
    }

    /// `wooshhook` itself.
    public static func wooshhook(_ arguments: [String], environment: [String: String] = [:]) throws -> BackgroundCommand {
        try BackgroundCommand(try WooshhookBinary.path(), arguments, environment: environment)
    }

    /// The next line of stdout, or nil when none arrives within `timeout` seconds or the output ends.
    public func readLine(timeout: TimeInterval = 10) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(min(remaining, 1) * 1000)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Sends `signal` and waits (at most `timeout`) for the exit status; kills it after that.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 10) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
