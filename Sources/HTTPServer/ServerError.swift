/// Why the server could not start; says what to do about it.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
