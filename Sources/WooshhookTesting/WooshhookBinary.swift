public import Foundation

/// Finds the built `wooshhook` executable: `$WOOSHHOOK_BINARY`, else beside the test runner in the build folder.
public enum WooshhookBinary {
    public static func path() throws -> String {
        if let path = ProcessInfo.processInfo.environment["WOOSHHOOK_BINARY"] { return path }
        let runner = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("wooshhook").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let candidate = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("wooshhook")
                .path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestFailure(
            "cannot find the wooshhook binary next to \(runner.path); run `swift build` first or set WOOSHHOOK_BINARY")
    }

    /// Runs `wooshhook` with arguments and returns (exit status, stdout, stderr); killed and reported after `timeout`.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil,
        timeout: TimeInterval = 60
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        try SpawnedProcess.run(try path(), arguments, environment: environment, stdin: stdin, timeout: timeout)
    }
}
