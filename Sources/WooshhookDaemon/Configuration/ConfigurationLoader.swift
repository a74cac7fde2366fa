public import Foundation
import Journal
import Logging
import WooshPay

/// Turns a configuration file into a `Configuration` (README, "Configuration"): nested JSON, defaults for every key,
/// unknown keys refused by their dotted name, paths relative to the file's folder, secrets read from `secret_files`
/// (also from `$CREDENTIALS_DIRECTORY`).
public enum ConfigurationLoader {
    /// Where the configuration is when `--config` is not given.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["WOOSHHOOK_CONFIG"], !path.isEmpty { return path }
        return "/etc/wooshhook/config.json"
    }

    /// Reads and validates the file at `path`.
    public static func load(path: String, environment: [String: String]) throws(ConfigurationError) -> Configuration {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigurationError(path, "no such configuration file (give --config PATH or set WOOSHHOOK_CONFIG)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConfigurationError(path, "cannot be read: \(error.localizedDescription)")
        }
        var configuration = try decode(
            data, baseDirectory: url.deletingLastPathComponent().path, environment: environment, source: path)
        configuration.sourcePath = url.path
        return configuration
    }

    /// Decodes configuration JSON; relative paths are resolved against `baseDirectory`.
    public static func decode(
        _ data: Data, baseDirectory: String, environment: [String: String], source: String = "configuration"
    ) throws(ConfigurationError) -> Configuration {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ConfigurationError(source, "is not valid JSON: \(describe(error))")
        }
        guard case .object(let members) = root else {
            throw ConfigurationError(source, "must be a JSON object at the top level")
        }
        var reader = ObjectReader(members, prefix: "")
        var configuration = Configuration()
        try readTop(&reader, into: &configuration, baseDirectory: baseDirectory, environment: environment)
        try reader.rejectUnknownKeys()
        guard !configuration.secrets.isEmpty else {
            throw ConfigurationError("secrets", "at least one secret is required, in `secrets` or `secret_files`")
        }
        return configuration
    }

    private static func readTop(
        _ reader: inout ObjectReader, into configuration: inout Configuration, baseDirectory: String,
        environment: [String: String]
    ) throws(ConfigurationError) {
        if var listen = try reader.object("listen") {
            (configuration.listenHost, configuration.listenPort) = try readListen(
                &listen, host: configuration.listenHost, port: configuration.listenPort)
        }
        if let path = try reader.string("path") {
            guard path.hasPrefix("/"), !path.contains(" "), !path.contains("?") else {
                throw ConfigurationError("path", "\"\(path)\" must start with / and hold no spaces or query")
            }
            configuration.path = path
        }
        try readSecrets(&reader, into: &configuration, baseDirectory: baseDirectory, environment: environment)
        if let value = try reader.integer("tolerance_seconds", in: 0...31_536_000) {
            configuration.toleranceSeconds = value
        }
        if let value = try reader.integer("max_body_bytes", in: 1...1_073_741_824) {
            configuration.maxBodyBytes = value
        }
        if var journal = try reader.object("journal") {
            try readJournal(&journal, into: &configuration.journal, baseDirectory: baseDirectory)
            try journal.rejectUnknownKeys()
        } else {
            configuration.journal.directory = resolve("journal", against: baseDirectory)
        }
        if let value = try reader.integer("dedupe_window_hours", in: 0...87_600) {
            configuration.dedupeWindowHours = value
        }
        if let handlers = try reader.objectArray("handlers") {
            configuration.handlers = try HandlerConfigurationReader.read(
                handlers, baseDirectory: baseDirectory, environment: environment)
        }
        if let proxies = try reader.stringArray("trusted_proxies") {
            let parsed = TrustedProxies(proxies)
            if let bad = parsed.invalidEntry {
                throw ConfigurationError("trusted_proxies", "\"\(bad)\" is not an IP address or CIDR block")
            }
            configuration.trustedProxies = parsed
        }
        if let value = try reader.integer("workers", in: 1...256) { configuration.workers = value }
        if let value = try reader.integer("max_connections", in: 1...1_000_000) { configuration.maxConnections = value }
        if let value = try reader.number("read_timeout_seconds", in: 0.001...86_400) {
            configuration.readTimeoutSeconds = value
        }
        if let value = try reader.number("shutdown_timeout_seconds", in: 0...86_400) {
            configuration.shutdownTimeoutSeconds = value
        }
        if let value = try reader.choice("log_level", as: Logger.Level.self) {
            configuration.logLevel = value
        }
        if let value = try reader.choice("log_format", as: StderrLogHandler.Format.self) {
            configuration.logFormat = value
        }
        try readStatusAndRejections(&reader, into: &configuration)
    }

    private static func readJournal(
        _ journal: inout ObjectReader, into settings: inout Configuration.JournalSettings, baseDirectory: String
    ) throws(ConfigurationError) {
        settings.directory = resolve(try journal.string("directory") ?? "journal", against: baseDirectory)
        if let value = try journal.choice("fsync", among: FsyncPolicy.configurationChoices) { settings.fsync = value }
        if let value = try journal.integer("fsync_interval_ms", in: 1...60_000) {
            settings.fsyncIntervalMilliseconds = value
        }
        // After both keys, so an error names `journal.fsync` before `journal.fsync_interval_ms`, as it always has.
        if case .interval = settings.fsync {
            settings.fsync = .interval(milliseconds: settings.fsyncIntervalMilliseconds)
        }
        if let value = try journal.integer("segment_bytes", in: 4096...(1 << 40)) { settings.segmentBytes = value }
        if let value = try journal.integer("retention_days", in: 0...36_500) { settings.retentionDays = value }
    }

    private static func readSecrets(
        _ reader: inout ObjectReader, into configuration: inout Configuration, baseDirectory: String,
        environment: [String: String]
    ) throws(ConfigurationError) {
        for (index, secret) in (try reader.stringArray("secrets") ?? []).enumerated() {
            guard !secret.isEmpty else { throw ConfigurationError("secrets[\(index)]", "is empty") }
            configuration.secrets.append(secret)
            configuration.secretSources.append("secrets[\(index)]")
        }
        for (index, name) in (try reader.stringArray("secret_files") ?? []).enumerated() {
            let key = "secret_files[\(index)]"
            let path = SecretFileLocator.locate(name, baseDirectory: baseDirectory, environment: environment)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(key, "cannot read secret file \(path) (missing or not readable)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(key, "secret file \(path) is not UTF-8 text")
            }
            let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw ConfigurationError(key, "secret file \(path) is empty") }
            configuration.secrets.append(secret)
            configuration.secretSources.append(path)
        }
    }

    /// A `listen` object (`listen`, `status.listen`): `host` an IP address (or `localhost`), `port` 0 to 65535, each
    /// as given when absent; nothing else.
    static func readListen(
        _ listen: inout ObjectReader, host: String, port: Int
    ) throws(ConfigurationError) -> (host: String, port: Int) {
        var address = (host: host, port: port)
        if let host = try listen.string("host") {
            guard TrustedProxies.addressBytes(host) != nil || host == "localhost" else {
                throw ConfigurationError(listen.dotted("host"), "\"\(host)\" is not an IP address")
            }
            address.host = host
        }
        if let port = try listen.integer("port", in: 0...65_535) { address.port = port }
        try listen.rejectUnknownKeys()
        return address
    }

    /// Resolves a path written in the file against the file's folder.
    static func resolve(_ path: String, against baseDirectory: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// Finds a secret or password file: a relative name is looked up in `$CREDENTIALS_DIRECTORY` (systemd's
/// `LoadCredential=`) first, then next to the configuration file.
enum SecretFileLocator {
    static func locate(_ name: String, baseDirectory: String, environment: [String: String]) -> String {
        if !name.hasPrefix("/"), let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty {
            let candidate = URL(fileURLWithPath: credentials).appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return ConfigurationLoader.resolve(name, against: baseDirectory)
    }
}
