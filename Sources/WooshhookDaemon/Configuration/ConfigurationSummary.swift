/// The effective configuration as `key = value` lines for `check-config`; secrets are masked.
public enum ConfigurationSummary {
    public static func lines(of configuration: Configuration) -> [String] {
        var lines: [String] = []
        func add(_ key: String, _ value: String) { lines.append("\(key) = \(value)") }
        add("config", configuration.sourcePath ?? "-")
        add("listen.host", configuration.listenHost)
        add("listen.port", "\(configuration.listenPort)")
        add("path", configuration.path)
        for (secret, source) in zip(configuration.secrets, configuration.secretSources) {
            add("secret", "\(Configuration.masked(secret)) from \(source)")
        }
        add("tolerance_seconds", "\(configuration.toleranceSeconds)")
        add("max_body_bytes", "\(configuration.maxBodyBytes)")
        add("journal.directory", configuration.journal.directory)
        add("journal.fsync", configuration.journal.fsync.configurationName)
        add("journal.fsync_interval_ms", "\(configuration.journal.fsyncIntervalMilliseconds)")
        add("journal.segment_bytes", "\(configuration.journal.segmentBytes)")
        add("journal.retention_days", "\(configuration.journal.retentionDays)")
        add("dedupe_window_hours", "\(configuration.dedupeWindowHours)")
        for handler in configuration.handlers {
            let events = handler.events.isEmpty ? "all" : handler.events.joined(separator: ",")
            add(
                "handler",
                "\(handler.name) kind=\(handler.kind.name) events=\(events) max_attempts=\(handler.maxAttempts)")
        }
        add("trusted_proxies", configuration.trustedProxies.entries.joined(separator: ", "))
        add("workers", "\(configuration.workers)")
        add("max_connections", "\(configuration.maxConnections)")
        add("read_timeout_seconds", "\(configuration.readTimeoutSeconds)")
        add("shutdown_timeout_seconds", "\(configuration.shutdownTimeoutSeconds)")
        add("log_level", configuration.logLevel.rawValue)
        add("log_format", configuration.logFormat.rawValue)
        add("rejections.max_bytes", "\(configuration.rejections.maxBytes)")
        add("status.listen", configuration.status.map { "\($0.host):\($0.port)" } ?? "off")
        return lines
    }
}
