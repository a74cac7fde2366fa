/// What the server hands requests to. Every method runs on an event-loop thread and must not block.
public protocol HTTPHandler: Sendable {
    /// Right after the head is parsed, before the body is read. A response answers now without reading the body
    /// (the connection is closed afterwards if a body was announced); nil reads the body and calls `handle`.
    func respondEarly(to head: HTTPRequestHead) -> HTTPResponse?
    /// With the whole request. Must eventually call `responder.send` exactly once, from any thread.
    func handle(_ request: HTTPRequest, responder: HTTPResponder)
    /// After a loop has run every callback that was ready at once, before it waits again: work that `handle`
    /// staged during the iteration can be passed on, or done, in one piece (one wake-up of another thread, or one
    /// write, not one each). Replies sent from here go out at the start of the next iteration.
    func eventLoopIterationEnded()
    /// The server answered a request itself and closed the connection (a head that does not parse or is too
    /// large, a chunked body, another HTTP version, a request that did not arrive in time), so `respondEarly` and
    /// `handle` never saw it: `status` and `code` are those of the JSON error sent, `peerAddress` the bare peer IP.
    /// On the loop thread; must not block.
    func requestRefused(status: Int, code: String, peerAddress: String)
}

extension HTTPHandler {
    public func eventLoopIterationEnded() {}
    public func requestRefused(status: Int, code: String, peerAddress: String) {}
}
