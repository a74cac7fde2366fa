/// A connection or statement failure, in libpq's or the server's words.
struct PostgresError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
