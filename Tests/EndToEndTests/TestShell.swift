import Foundation
import WooshhookTesting

/// Runs a system command (mount, nginx, openssl, systemd-analyze) and returns its status and combined output.
enum WooshhookTestShell {
    static func run(
        _ command: String, _ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 120
    ) throws -> (status: Int32, output: String) {
        let result = try SpawnedProcess.run(
            command, arguments, stdin: stdin.map { Data($0.utf8) }, mergingStderr: true, timeout: timeout)
        return (result.status, result.stdout)
    }

    /// The repository's root folder (for `examples/` and `systemd/`).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// A loopback port that was free a moment ago.
    static func freePort() throws -> Int {
        let result = try run(
            "python3", ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        guard let port = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("no free port: \(result.output)")
        }
        return port
    }
}
