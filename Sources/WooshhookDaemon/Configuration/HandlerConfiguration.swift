/// One entry of `handlers` (README, "Handlers"): common keys plus the keys of its kind.
public struct HandlerConfiguration: Sendable, Equatable {
    /// The handler's name: its cursor file and its label in metrics and logs.
    public var name: String
    public var kind: Kind
    /// Event types this handler sees; empty means all types.
    public var events: [String]
    public var maxAttempts: Int

    /// The built-in kinds and their own keys.
    public enum Kind: Sendable, Equatable {
        case exec(command: [String], timeoutSeconds: Double)
        case log
        case forward(url: String, secret: String, timeoutSeconds: Double)
        case postgres(url: String, passwordFile: String?, table: String)

        /// The `kind` string of the configuration file.
        public var name: String {
            switch self {
            case .exec: "exec"
            case .log: "log"
            case .forward: "forward"
            case .postgres: "postgres"
            }
        }
    }

    /// Whether an event of this type goes to this handler.
    public func accepts(type: String) -> Bool {
        events.isEmpty || events.contains(type)
    }
}
