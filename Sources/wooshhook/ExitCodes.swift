import ArgumentParser

/// The exit codes of every command (README, "Commands"), defined once: 0 success, 1 the work failed, 64 bad usage, 78
/// bad configuration.
extension ExitCode {
    /// EX_USAGE: a bad option or argument (also what ArgumentParser uses for validation errors on Linux).
    static let usage = ExitCode(64)
    /// EX_CONFIG: the configuration file (or the environment it points to) is wrong.
    static let configuration = ExitCode(78)
}
