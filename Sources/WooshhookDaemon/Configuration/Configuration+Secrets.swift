extension Configuration {
    /// The marker of the example secret in config.example.json; a secret holding it is not a real one.
    public static let placeholderMarker = "REPLACE_ME"

    /// Whether `secret` is the documentation placeholder rather than an endpoint secret.
    public static func isPlaceholder(_ secret: String) -> Bool {
        secret.uppercased().contains(placeholderMarker)
    }

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// A secret as it may be shown: its first characters and its length, never the whole value.
    public static func masked(_ secret: String) -> String {
        let prefix = secret.hasPrefix("whsec_") ? "whsec_" : ""
        return "\(prefix)…(\(secret.count) chars)"
    }
}
