import Foundation

/// A journal operation that failed, with the path, the system's reason and what the operator can do about it.
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done: "write", "fsync", "open", "read", "create directory", ….
    public let operation: String
    /// The file or directory concerned.
    public let path: String
    /// `errno` of the failing call, 0 when the failure is not a system call's.
    public let code: Int32
    /// The next step for the operator.
    public let hint: String

    /// An error from a failing system call: `code` is its `errno`.
    public init(_ operation: String, path: String, code: Int32, hint: String = "") {
        self.operation = operation
        self.path = path
        self.code = code
        self.hint = hint
    }

    /// The `errno` text of `code` (for example "No space left on device").
    public var reason: String { code == 0 ? "invalid data" : String(cString: strerror(code)) }

    /// Whether the failure is a full disk or quota, which fixes itself once space is freed.
    public var isOutOfSpace: Bool { code == ENOSPC || code == EDQUOT || code == EFBIG }

    public var description: String {
        let text = "cannot \(operation) \(path): \(reason)"
        return hint.isEmpty ? text : "\(text); \(hint)"
    }
}
