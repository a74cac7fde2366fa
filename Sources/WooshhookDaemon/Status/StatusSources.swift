import Journal

/// What the status page is computed from: the daemon's parts that hold state in memory, and where its files are.
struct StatusSources: Sendable {
    let journalDirectory: String
    let fsyncPolicy: String
    let journal: JournalWriter
    let metrics: DaemonMetrics
    let rejections: RejectionLog
    /// "ok", or why the daemon is not receiving.
    let health: @Sendable () -> String
}
