/// What the server knows once the request line and headers are in, before any body byte is read.
public struct HTTPRequestHead: Sendable {
    public let method: String
    /// The target without its query string, as sent (no percent-decoding).
    public let path: String
    public let query: String?
    public let headers: HTTPHeaders
    /// nil when the request has no Content-Length.
    public let contentLength: Int?
    public let isChunked: Bool
    /// The peer's bare IP address.
    public let peerAddress: String
    let keepAlive: Bool
    let expectsContinue: Bool
}

/// A whole request.
public struct HTTPRequest: Sendable {
    public let head: HTTPRequestHead
    public let body: [UInt8]
}
