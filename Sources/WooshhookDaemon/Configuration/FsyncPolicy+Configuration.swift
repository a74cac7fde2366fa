import Journal

/// `journal.fsync` names the journal's own `FsyncPolicy`; the names live here, next to the loader that reads them.
extension FsyncPolicy {
    /// The names `journal.fsync` takes, in the order an error lists them. `interval` comes with the default period;
    /// the loader gives it `journal.fsync_interval_ms`.
    static let configurationChoices: [(name: String, value: FsyncPolicy)] = [
        ("always", .always), ("interval", .interval(milliseconds: 50)), ("never", .never),
    ]

    /// The policy's name in `journal.fsync`, as `check-config`, the "listening" log line and the status page show it.
    var configurationName: String {
        switch self {
        case .always: "always"
        case .interval: "interval"
        case .never: "never"
        }
    }
}
