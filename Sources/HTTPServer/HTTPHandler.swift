/// What the server hands requests to. Both methods run on the connection's event-loop thread and must not block.
public protocol HTTPHandler: Sendable {
    /// Right after the head is parsed, before the body is read. A response answers now without reading the body
    /// (the connection is closed afterwards if a body was announced); nil reads the body and calls `handle`.
    func respondEarly(to head: HTTPRequestHead) -> HTTPResponse?
    /// With the whole request. Must eventually call `responder.send` exactly once, from any thread.
    func handle(_ request: HTTPRequest, responder: HTTPResponder)
}
