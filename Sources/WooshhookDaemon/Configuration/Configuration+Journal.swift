import Journal

extension Configuration {
    /// The writer's settings for the journal in `directory` (the journal itself, or its quarantine, which keeps no
    /// dedupe window), shared by `serve` and by admission without a daemon so both write alike.
    func journalConfiguration(directory: String, dedupeWindowHours: Int) -> JournalConfiguration {
        JournalConfiguration(
            directory: directory, fsync: journal.fsync, segmentBytes: journal.segmentBytes,
            retentionDays: journal.retentionDays, dedupeWindowHours: dedupeWindowHours)
    }
}
