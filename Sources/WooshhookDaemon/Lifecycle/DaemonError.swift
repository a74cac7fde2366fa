/// Why `serve` could not start or had to stop; `exitCode` is what the process exits with (78 for a configuration
/// the operator must change, 1 for anything else).
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
