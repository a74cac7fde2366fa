/// How the server listens and what it bounds: connections, head size, body size, read time.
public struct ServerConfiguration: Sendable {
    /// Where connections come from.
    public enum Listen: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// A listening socket handed over by systemd (socket activation).
        case inheritedSocket(Int32)
    }

    public var listen: Listen
    /// Event-loop threads, each with its own event_base, all accepting on the same socket.
    public var workers: Int
    /// Open connections at most; beyond it new ones wait in the kernel's listen backlog.
    public var maxConnections: Int
    /// Request line plus headers, in bytes.
    public var maxHeaderBytes: Int
    /// The largest body the server will read: a larger Content-Length is answered 413 before any body byte is read
    /// (by the handler's early answer, else by the connection).
    public var maxBodyBytes: Int
    /// A request's head and body must arrive within this from the moment the connection became idle.
    public var readTimeoutSeconds: Double

    public init(
        listen: Listen, workers: Int, maxConnections: Int = 1024, maxHeaderBytes: Int = 16_384,
        maxBodyBytes: Int = 1_048_576, readTimeoutSeconds: Double = 10
    ) {
        self.listen = listen
        self.workers = max(1, workers)
        self.maxConnections = max(1, maxConnections)
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.readTimeoutSeconds = readTimeoutSeconds
    }
}
