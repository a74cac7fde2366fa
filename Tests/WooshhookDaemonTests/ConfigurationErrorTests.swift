import Foundation
import Testing

@testable import WooshhookDaemon

/// A refused configuration names the dotted key and says what is wrong with it, in the words `check-config` prints
/// (README, "Configuration"). Configurations are loaded through `ConfigurationLoader`, from text or from files.
@Suite struct ConfigurationErrorTests {
    /// One refused configuration: the JSON, and the key and message expected.
    struct Case: Sendable, CustomTestStringConvertible {
        let json: String
        let key: String
        let problem: String
        var testDescription: String { "\(key): \(json)" }

        init(_ json: String, _ key: String, _ problem: String) {
            self.json = json
            self.key = key
            self.problem = problem
        }
    }

    /// `{"secrets":["whsec_a"], …}`: a configuration that is valid but for the members given.
    static func with(_ members: String) -> String { #"{"secrets":["whsec_a"],\#(members)}"# }

    static let unknown = "unknown key (a typo must not change behaviour silently); allowed here: "
    static let topLevelKeys =
        "dedupe_window_hours, handlers, journal, listen, log_format, log_level, max_body_bytes, "
        + "max_connections, path, read_timeout_seconds, rejections, secret_files, secrets, shutdown_timeout_seconds, "
        + "status, tolerance_seconds, trusted_proxies, workers"

    static let wrongTypes: [Case] = [
        Case(with(#""listen":{"port":"8085"}"#), "listen.port", "must be a whole number"),
        Case(with(#""workers":true"#), "workers", "must be a whole number"),
        Case(with(#""max_connections":10.5"#), "max_connections", "must be a whole number"),
        Case(with(#""read_timeout_seconds":"10""#), "read_timeout_seconds", "must be a number"),
        Case(with(#""path":5"#), "path", "must be a string"),
        Case(with(#""journal":"journal""#), "journal", "must be an object"),
        Case(#"{"secrets":"whsec_a"}"#, "secrets", "must be an array of strings"),
        Case(with(#""trusted_proxies":["127.0.0.1",5]"#), "trusted_proxies[1]", "must be a string"),
        Case(with(#""handlers":{}"#), "handlers", "must be an array of objects"),
        Case(with(#""handlers":[{"name":"a","kind":"log"},"b"]"#), "handlers[1]", "must be an object"),
        Case(
            with(#""handlers":[{"name":"a","kind":"exec","command":"/bin/true"}]"#), "handlers[0].command",
            "must be an array of strings"),
        Case(with(#""status":{"listen":{"port":null,"host":1}}"#), "status.listen.host", "must be a string"),
    ]

    static let unknownKeys: [Case] = [
        Case(with(#""secret":"whsec_b""#), "secret", unknown + topLevelKeys),
        Case(
            with(#""journal":{"fsnyc":"always"}"#), "journal.fsnyc",
            unknown + "directory, fsync, fsync_interval_ms, retention_days, segment_bytes"),
        Case(with(#""status":{"listen":{"hots":"127.0.0.1"}}"#), "status.listen.hots", unknown + "host, port"),
        Case(with(#""rejections":{"max_byte":100000}"#), "rejections.max_byte", unknown + "max_bytes"),
        Case(
            with(#""handlers":[{"name":"a","kind":"log"},{"name":"b","kind":"log","command":["x"]}]"#),
            "handlers[1].command", unknown + "events, kind, max_attempts, name"),
        Case(
            with(#""handlers":[{"name":"a","kind":"forward","url":"https://x/","secret":"s","table":"t"}]"#),
            "handlers[0].table", unknown + "events, kind, max_attempts, name, secret, timeout_seconds, url"),
    ]

    static let outOfRange: [Case] = [
        Case(with(#""listen":{"port":70000}"#), "listen.port", "70000 is out of range 0...65535"),
        Case(with(#""workers":0"#), "workers", "0 is out of range 1...256"),
        Case(with(#""tolerance_seconds":-1"#), "tolerance_seconds", "-1 is out of range 0...31536000"),
        Case(
            with(#""journal":{"segment_bytes":1024}"#), "journal.segment_bytes",
            "1024 is out of range 4096...1099511627776"),
        Case(with(#""read_timeout_seconds":0"#), "read_timeout_seconds", "0.0 is out of range 0.001...86400.0"),
        Case(
            with(#""rejections":{"max_bytes":1000}"#), "rejections.max_bytes",
            "1000 is out of range 16384...1099511627776"),
        Case(
            with(#""handlers":[{"name":"a","kind":"log","max_attempts":0}]"#), "handlers[0].max_attempts",
            "0 is out of range 1...1000"),
        Case(
            with(#""handlers":[{"name":"a","kind":"exec","command":["/bin/true"],"timeout_seconds":0}]"#),
            "handlers[0].timeout_seconds", "0.0 is out of range 0.001...86400.0"),
    ]

    static let missing: [Case] = [
        Case("{}", "secrets", "at least one secret is required, in `secrets` or `secret_files`"),
        Case(#"{"secrets":[]}"#, "secrets", "at least one secret is required, in `secrets` or `secret_files`"),
        Case(#"{"secrets":[""]}"#, "secrets[0]", "is empty"),
        Case(with(#""handlers":[{"kind":"log"}]"#), "handlers[0].name", "is required (a non-empty string)"),
        Case(with(#""handlers":[{"name":"a"}]"#), "handlers[0].kind", "is required (a non-empty string)"),
        Case(
            with(#""handlers":[{"name":"a","kind":"forward","url":"https://x/"}]"#), "handlers[0].secret",
            "is required (a non-empty string)"),
        Case(
            with(#""handlers":[{"name":"a","kind":"exec","command":[]}]"#), "handlers[0].command",
            "is required: a non-empty argv array"),
    ]

    static let badValues: [Case] = [
        Case(
            with(
                #""handlers":[{"name":"a","kind":"log"},{"name":"b","kind":"forward","url":"https://x/","secret":"s"},"#
                    + #"{"name":"c","kind":"forward","url":"ftp://hooks.example.org/","secret":"s"}]"#),
            "handlers[2].url", #""ftp://hooks.example.org/" must be an http:// or https:// URL"#),
        Case(
            with(#""handlers":[{"name":"a","kind":"postgres","url":"mysql://x/db"}]"#), "handlers[0].url",
            "must look like postgres://USER@HOST:PORT/DATABASE"),
        Case(
            with(#""handlers":[{"name":"a","kind":"postgres","url":"postgres://u@h/db","table":"t; drop"}]"#),
            "handlers[0].table", #""t; drop" is not a plain SQL identifier"#),
        Case(
            with(#""handlers":[{"name":"a","kind":"mail"}]"#), "handlers[0].kind",
            #""mail" is not a handler kind; known: exec, log, forward, postgres"#),
        Case(
            with(#""handlers":[{"name":"a","kind":"log"},{"name":"a","kind":"log"}]"#), "handlers[1].name",
            #""a" is used by two handlers"#),
        Case(
            with(#""handlers":[{"name":"a/b","kind":"log"}]"#), "handlers[0].name",
            #""a/b" may hold only letters, digits, - _ and ."#),
        Case(
            with(#""handlers":[{"name":".hidden","kind":"log"}]"#), "handlers[0].name",
            #"".hidden" may hold only letters, digits, - _ and ."#),
        Case(
            with(#""journal":{"fsync":"sometimes"}"#), "journal.fsync",
            #""sometimes" is not one of: always, interval, never"#),
        Case(
            with(#""log_level":"verbose""#), "log_level",
            #""verbose" is not one of: trace, debug, info, notice, warning, error, critical"#),
        Case(with(#""log_format":"xml""#), "log_format", #""xml" is not one of: text, json"#),
        Case(with(#""listen":{"host":"example.org"}"#), "listen.host", #""example.org" is not an IP address"#),
        Case(
            with(#""status":{"listen":{"host":"example.org"}}"#), "status.listen.host",
            #""example.org" is not an IP address"#),
        Case(with(#""path":"hooks""#), "path", #""hooks" must start with / and hold no spaces or query"#),
        Case(with(#""path":"/hooks?x=1""#), "path", #""/hooks?x=1" must start with / and hold no spaces or query"#),
        Case(
            with(#""trusted_proxies":["10.0.0.0/8","10.0.0.0/33"]"#), "trusted_proxies",
            #""10.0.0.0/33" is not an IP address or CIDR block"#),
        Case(
            with(#""listen":{"port":9000},"status":{"listen":{"port":9000}}"#), "status.listen.port",
            "9000 is the webhook port (listen.port); the status page needs a port of its own"),
        Case("[]", "configuration", "must be a JSON object at the top level"),
    ]

    static func decode(_ json: String, environment: [String: String] = [:]) -> ConfigurationError? {
        do {
            _ = try ConfigurationLoader.decode(
                Data(json.utf8), baseDirectory: "/etc/wooshhook", environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: wrongTypes + unknownKeys + outOfRange + missing + badValues)
    func theErrorNamesTheDottedKey(_ refused: Case) {
        #expect(Self.decode(refused.json) == ConfigurationError(refused.key, refused.problem))
    }

    @Test func notJSONIsRefusedAsAWhole() {
        let error = Self.decode(#"{"secrets":["whsec_a"]"#)
        #expect(error?.subject == "configuration")
        #expect(error?.problem.hasPrefix("is not valid JSON: ") == true, "\(String(describing: error))")
    }

    @Test func theMessageIsTheKeyThenTheProblem() {
        let error = Self.decode(Self.with(#""listen":{"port":70000}"#))
        #expect(error?.description == "listen.port: 70000 is out of range 0...65535")
    }

    /// The same key, valid, is accepted: each case above fails for the reason it names.
    @Test func theValidNeighboursAreAccepted() {
        for json in [
            Self.with(#""listen":{"port":65535,"host":"::1"}"#),
            Self.with(#""workers":1,"read_timeout_seconds":0.001,"tolerance_seconds":0"#),
            Self.with(#""journal":{"fsync":"never","segment_bytes":4096}"#),
            Self.with(#""handlers":[{"name":"a.b-c_1","kind":"log","max_attempts":1000}]"#),
            Self.with(#""trusted_proxies":["10.0.0.0/8","fd00::/8","192.0.2.1"]"#),
            Self.with(#""listen":{"port":9000},"status":{"listen":{"port":9001}}"#),
        ] {
            #expect(Self.decode(json) == nil, "\(json)")
        }
    }

    @Test func aFileThatIsNotThereNamesItselfAndTheWayOut() {
        let path = "/nonexistent-\(UUID().uuidString)/config.json"
        let expected = ConfigurationError(
            path, "no such configuration file (give --config PATH or set WOOSHHOOK_CONFIG)")
        #expect(throws: expected) {
            try ConfigurationLoader.load(path: path, environment: [:])
        }
    }

    /// `secret_files` are found next to the configuration file, or in `$CREDENTIALS_DIRECTORY` first.
    @Test func secretFilesAreNamedByTheirIndexAndResolvedPath() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "config.json", #"{"secret_files":["live-secret","empty-secret","missing-secret"]}"#)
        try folder.write("live-secret", "whsec_live\n")
        try folder.write("empty-secret", " \n")

        #expect(throws: ConfigurationError("secret_files[1]", "secret file \(folder.path)/empty-secret is empty")) {
            try ConfigurationLoader.load(path: config, environment: [:])
        }
        let credentials = try TemporaryFolder()
        defer { credentials.remove() }
        try credentials.write("empty-secret", "whsec_from_credentials")
        #expect(
            throws: ConfigurationError(
                "secret_files[2]", "cannot read secret file \(folder.path)/missing-secret (missing or not readable)"
            )
        ) {
            try ConfigurationLoader.load(path: config, environment: ["CREDENTIALS_DIRECTORY": credentials.path])
        }
        try folder.write("config.json", #"{"secret_files":["live-secret","empty-secret"]}"#)
        let loaded = try ConfigurationLoader.load(
            path: config, environment: ["CREDENTIALS_DIRECTORY": credentials.path])
        #expect(loaded.secrets == ["whsec_live", "whsec_from_credentials"])
        #expect(loaded.secretSources == ["\(folder.path)/live-secret", "\(credentials.path)/empty-secret"])
        #expect(loaded.journal.directory == "\(folder.path)/journal", "relative to the file's folder")
    }
}

/// A folder of its own in the system's temporary directory.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
