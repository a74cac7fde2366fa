/// What became of one append, given to its completion once the batch holding it is settled.
public enum AppendOutcome: Sendable, Equatable {
    /// Written (and synced, per the fsync policy) as this seq.
    case appended(seq: UInt64)
    /// The event id is already journaled within the dedupe window; nothing was written.
    case duplicate
    /// Nothing of the batch stayed on disk; the caller answers 503 and WooshPay retries.
    case failed(JournalError)
}
