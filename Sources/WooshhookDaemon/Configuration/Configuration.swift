public import Journal
public import Logging

/// The effective configuration of one wooshhook instance (README, "Configuration").
///
/// Every key has its documented default here, so a file only needs to name what differs. Paths are already resolved
/// against the configuration file's folder, and secrets are already read from `secret_files`.
public struct Configuration: Sendable, Equatable {
    /// `listen.host` / `listen.port`: where to listen unless a socket is handed over by systemd.
    public var listenHost = "127.0.0.1"
    public var listenPort = 8085
    /// `path`: the one path WooshPay posts to.
    public var path = "/webhooks/wooshpay"
    /// Every secret from `secrets` and `secret_files`, in that order; the first one signs `replay` and `send`.
    public var secrets: [String] = []
    /// Where each secret came from ("secrets[0]", a file path), for messages that must not show the secret itself.
    public var secretSources: [String] = []
    public var toleranceSeconds = 300
    public var maxBodyBytes = 1_048_576
    public var journal = JournalSettings()
    public var dedupeWindowHours = 96
    public var handlers: [HandlerConfiguration] = []
    public var trustedProxies = TrustedProxies(["127.0.0.1", "::1"])
    public var workers = Configuration.defaultWorkers
    public var maxConnections = 1024
    public var readTimeoutSeconds = 10.0
    public var shutdownTimeoutSeconds = 10.0
    /// `log_level`, by swift-log's own names.
    public var logLevel = Logger.Level.info
    /// `log_format`: the daemon's log backend writes it.
    public var logFormat = StderrLogHandler.Format.text
    /// `rejections.*` keys: the rejection log.
    public var rejections = RejectionSettings()
    /// `status.*` keys: the status page's listener; nil (no `status` key) means none.
    public var status: StatusSettings?
    /// The file this came from, when it came from a file.
    public var sourcePath: String?

    /// `journal.*` keys.
    public struct JournalSettings: Sendable, Equatable {
        public var directory = "journal"
        /// `journal.fsync`: the durability policy (docs/ARCHITECTURE.md, "Why an acknowledged event survives"); an
        /// `interval` policy carries `fsyncIntervalMilliseconds` as its period.
        public var fsync = FsyncPolicy.always
        /// `journal.fsync_interval_ms` as the file gives it, kept whatever the policy so `check-config` shows it.
        public var fsyncIntervalMilliseconds = 50
        public var segmentBytes = 67_108_864
        public var retentionDays = 0
    }

    /// `rejections.*` keys.
    public struct RejectionSettings: Sendable, Equatable {
        /// The rejection log's size on disk at most, both files together.
        public var maxBytes = 16_777_216
    }

    /// `status.listen.*` keys.
    public struct StatusSettings: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8086
    }

    /// The number of cores, which is also the default number of event-loop threads.
    public static var defaultWorkers: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// All defaults, no secrets: what `check-config` starts from.
    public init() {}
}

#if canImport(Glibc)
    import Glibc
#endif
