public import Foundation

/// A long-running command (`wooshhook tail -f`, a capture server) whose stdout a test reads line by line with a
/// deadline; stopped by PID.
public final class BackgroundCommand: @unchecked Sendable {
    // @unchecked: used only from the test that owns it.
    private let process: SpawnedProcess
    private let output: Int32
    private var buffer: [UInt8] = []

    /// Starts `executable` with `arguments`; stderr goes to the test's stderr.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let fds = try SpawnedProcess.makePipe()
        defer { close(fds[1]) }
        do {
            process = try SpawnedProcess(executable, arguments, environment: environment, stdout: fds[1])
        } catch {
            close(fds[0])
            throw error
        }
        output = fds[0]
    }

    /// Its process id.
    public var pid: Int32 { process.pid }

    /// `wooshhook` itself.
    public static func wooshhook(_ arguments: [String], environment: [String: String] = [:]) throws -> BackgroundCommand
    {
        try BackgroundCommand(try WooshhookBinary.path(), arguments, environment: environment)
    }

    /// The next line of stdout, or nil when none arrives within `timeout` seconds or the output ends.
    public func readLine(timeout: TimeInterval = 10) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        let fd = output
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
        process.send(signal)
        return process.wait(timeout: timeout) ?? process.kill() ?? -1
    }

    deinit {
        process.kill()
        close(output)
    }
}
