/// When appended bytes are forced to stable storage (`journal.fsync`).
public enum FsyncPolicy: Sendable, Equatable {
    /// Every batch is `fdatasync`ed before its records are acknowledged (group commit).
    case always
    /// Acknowledged after `write(2)`; the writer syncs at most this many milliseconds later.
    case interval(milliseconds: Int)
    /// Never synced by wooshhook: for development and tests only.
    case never
}
