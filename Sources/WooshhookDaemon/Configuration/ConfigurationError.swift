/// Why a configuration cannot be used. Every case names the file or the dotted key, so the operator can fix it;
/// the command line maps all of them to exit code 78 (EX_CONFIG).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted key ("journal.fsync", "handlers[1].kind") or the file concerned.
    public let subject: String
    public let problem: String

    public init(_ subject: String, _ problem: String) {
        self.subject = subject
        self.problem = problem
    }

    public var description: String { "\(subject): \(problem)" }

    static func unknownKey(_ key: String, allowed: [String]) -> ConfigurationError {
        ConfigurationError(
            key,
            "unknown key (a typo must not change behaviour silently); allowed here: "
                + allowed.sorted().joined(separator: ", "))
    }

    static func wrongType(_ key: String, expected: String) -> ConfigurationError {
        ConfigurationError(key, "must be \(expected)")
    }
}
