import Journal

extension Configuration {
    /// `journal.fsync` and `journal.fsync_interval_ms` as the writer's policy.
    var fsyncPolicy: FsyncPolicy {
        switch journal.fsync {
        case .always: .always
        case .interval: .interval(milliseconds: journal.fsyncIntervalMilliseconds)
        case .never: .never
        }
    }

    /// The writer's settings for the journal in `directory` (the journal itself, or its quarantine, which keeps no
    /// dedupe window), shared by `serve` and by admission without a daemon so both write alike.
    func journalConfiguration(directory: String, dedupeWindowHours: Int) -> JournalConfiguration {
        JournalConfiguration(
            directory: directory, fsync: fsyncPolicy, segmentBytes: journal.segmentBytes,
            retentionDays: journal.retentionDays, dedupeWindowHours: dedupeWindowHours)
    }
}
