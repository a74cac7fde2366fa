/// Validates the `handlers` array (README, "Handlers"): each entry's common keys, its kind, and only that kind's keys.
enum HandlerConfigurationReader {
    static let kinds = ["exec", "log", "forward", "postgres"]

    static func read(
        _ entries: [ObjectReader], baseDirectory: String, environment: [String: String]
    ) throws(ConfigurationError) -> [HandlerConfiguration] {
        var handlers: [HandlerConfiguration] = []
        var names: Set<String> = []
        for var entry in entries {
            let name = try entry.requiredString("name")
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                !name.hasPrefix(".")
            else {
                throw ConfigurationError(entry.dotted("name"), "\"\(name)\" may hold only letters, digits, - _ and .")
            }
            guard names.insert(name).inserted else {
                throw ConfigurationError(entry.dotted("name"), "\"\(name)\" is used by two handlers")
            }
            let kindName = try entry.requiredString("kind")
            let events = try entry.stringArray("events") ?? []
            let maxAttempts = try entry.integer("max_attempts", in: 1...1_000) ?? 10
            let kind: HandlerConfiguration.Kind
            switch kindName {
            case "exec":
                guard let command = try entry.stringArray("command"), let program = command.first, !program.isEmpty
                else { throw ConfigurationError(entry.dotted("command"), "is required: a non-empty argv array") }
                kind = .exec(
                    command: command, timeoutSeconds: try entry.number("timeout_seconds", in: 0.001...86_400) ?? 30)
            case "log":
                kind = .log
            case "forward":
                let url = try entry.requiredString("url")
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw ConfigurationError(entry.dotted("url"), "\"\(url)\" must be an http:// or https:// URL")
                }
                kind = .forward(
                    url: url, secret: try entry.requiredString("secret"),
                    timeoutSeconds: try entry.number("timeout_seconds", in: 0.001...3_600) ?? 10)
            case "postgres":
                let url = try entry.requiredString("url")
                guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                    throw ConfigurationError(entry.dotted("url"), "must look like postgres://USER@HOST:PORT/DATABASE")
                }
                let passwordFile = try entry.string("password_file").map {
                    SecretFileLocator.locate($0, baseDirectory: baseDirectory, environment: environment)
                }
                let table = try entry.string("table") ?? "wooshhook_events"
                guard let first = table.first, first.isLetter || first == "_",
                    table.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
                else { throw ConfigurationError(entry.dotted("table"), "\"\(table)\" is not a plain SQL identifier") }
                kind = .postgres(url: url, passwordFile: passwordFile, table: table)
            default:
                throw ConfigurationError(
                    entry.dotted("kind"),
                    "\"\(kindName)\" is not a handler kind; known: \(kinds.joined(separator: ", "))")
            }
            try entry.rejectUnknownKeys()
            handlers.append(HandlerConfiguration(name: name, kind: kind, events: events, maxAttempts: maxAttempts))
        }
        return handlers
    }
}
