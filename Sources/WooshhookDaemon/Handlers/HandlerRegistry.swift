import Logging

/// The one place where a configured handler kind becomes an `EventHandler`: a new kind is its file plus one line
/// here (and its keys in `HandlerConfigurationReader`).
enum HandlerRegistry {
    static func make(_ configuration: HandlerConfiguration, logger: Logger) throws(HandlerSetupError)
        -> any EventHandler
    {
        switch configuration.kind {
        case .exec(let command, let timeout):
            return ExecHandler(name: configuration.name, command: command, timeoutSeconds: timeout, logger: logger)
        case .log: return LogEventHandler(logger: logger)
        case .forward(let url, let secret, let timeout):
            return ForwardHandler(url: url, secret: secret, timeoutSeconds: timeout)
        case .postgres(let url, let passwordFile, let table):
            return try PostgresHandler(
                name: configuration.name, url: url, passwordFile: passwordFile, table: table, logger: logger)
        }
    }
}

/// A configured handler that cannot be built; the daemon refuses to start (exit 78) rather than drop its events.
struct HandlerSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
