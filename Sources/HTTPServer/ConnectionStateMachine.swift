/// The protocol decisions of one HTTP/1.1 connection, without sockets, buffers or clocks: keep-alive, pipelining,
/// the client's EOF, the read timeout (408), the body limit (413), the head limit (431), `Expect: 100-continue`,
/// replies while the server drains, and flow control of the input buffer. Each event is a method that returns the
/// one `Action` the driver (`Connection`) carries out; the driver reports what came of it through the next event.
///
/// One request at a time: pipelined bytes wait in the input buffer while a request is handled, and reading from
/// the socket pauses once that buffer holds what one request may need (one head plus one body). The read timer runs
/// while the connection waits for a request or its body, and while a reply is being written; it stops while the
/// handler has the request (the handler's time is not the client's). A connection starts in
/// `.readingHead(sawBytes: false)`, reading, with the timer running.
///
/// A plain value: no allocation per request (actions carry the head and the response by reference count).
struct ConnectionStateMachine {
    struct Limits {
        var maxHeaderBytes: Int
        var maxBodyBytes: Int
        /// At most this much waits in the input buffer: one whole request.
        var input: Int { maxHeaderBytes + maxBodyBytes }
    }

    enum State {
        /// Waiting for a head; `sawBytes` once any byte of it arrived (a timeout with none is a silent close).
        case readingHead(sawBytes: Bool)
        case readingBody(HTTPRequestHead)
        /// The handler has the request; its reply decides the rest.
        case handling(keepAlive: Bool)
        /// A reply did not fit the socket at once and drains from the output buffer; then close or go on.
        case writing(close: Bool)
        case closed
    }

    enum Action {
        /// Read at most this many bytes from the socket into the input buffer, then report `next(buffered:)`,
        /// `peerSentEOF()`, or close on an error.
        case read(upTo: Int)
        /// Look for a whole head in the first `window` buffered bytes and report `headIncomplete(buffered:)`,
        /// `headRejected(_:)` or (after draining the head and asking the handler) `headReceived(…)`.
        case parseHead(window: Int)
        /// Take `bodyLength` bytes from the input buffer, stop the read timer and hand the request over; then
        /// `next(buffered:)`.
        case handle(HTTPRequestHead, bodyLength: Int)
        /// Write this reply to a request (counted as a response), closing after it when `close`; then
        /// `replyWritten(completely:)`.
        case respond(HTTPResponse, close: Bool)
        /// Answer a request that could not be taken (malformed, too large, too slow) and close; then
        /// `replyWritten(completely:)`.
        case refuse(RequestHeadParser.HeadError)
        /// Queue `100 Continue` (the client waits for it before sending the body); then `next(buffered:)`.
        case sendContinue
        /// (Re)start the read timer, stop reading first when `pauseReading`; then `next(buffered:)`.
        case armTimer(pauseReading: Bool)
        /// Stop reading the socket (the input buffer is full, or the client sent EOF); wait for events.
        case pauseReading
        /// Read the socket again; wait for events.
        case resumeReading
        /// Nothing to do until the next event.
        case wait
        /// The handler's reply comes too late: the connection is gone. Count it as dropped.
        case dropReply
        /// Close the connection now; then `closed()`.
        case close
    }

    let limits: Limits
    private(set) var state = State.readingHead(sawBytes: false)
    /// Whether the socket is being read (the driver's read event is added).
    private(set) var isReading = true
    /// The client sent EOF while its request was handled or answered: answer it, then close.
    private(set) var peerFinished = false

    init(limits: Limits) {
        self.limits = limits
    }

    /// A read larger than this gains nothing: it is what one readv fills without a second round.
    static let readChunk = 16_384

    // MARK: Input

    /// The socket is readable.
    mutating func socketReadable(buffered: Int) -> Action {
        if case .closed = state { return .wait }
        let room = limits.input - buffered
        guard room > 0 else { return pause() }
        return .read(upTo: min(room, Self.readChunk))
    }

    /// Bytes arrived (or a step finished): what to do with what is buffered.
    mutating func next(buffered: Int) -> Action {
        switch state {
        case .readingHead where buffered > 0:
            state = .readingHead(sawBytes: true)
            return .parseHead(window: min(buffered, limits.maxHeaderBytes))
        case .readingBody(let head):
            let length = head.contentLength ?? 0
            guard buffered >= length else { return waitForInput(buffered: buffered) }
            state = .handling(keepAlive: head.keepAlive)
            return .handle(head, bodyLength: length)
        case .readingHead, .handling, .writing:
            return waitForInput(buffered: buffered)
        case .closed:
            return .wait
        }
    }

    /// No whole head in the window.
    mutating func headIncomplete(buffered: Int) -> Action {
        guard case .readingHead = state else { return .wait }
        guard buffered >= limits.maxHeaderBytes else { return waitForInput(buffered: buffered) }
        state = .writing(close: true)
        return .refuse(
            .init(
                status: 431, code: "header_too_large", message: "request head exceeds \(limits.maxHeaderBytes) bytes"))
    }

    /// The head does not parse.
    mutating func headRejected(_ error: RequestHeadParser.HeadError) -> Action {
        guard case .readingHead = state else { return .wait }
        state = .writing(close: true)
        return .refuse(error)
    }

    /// A head parsed and was taken from the input buffer (`buffered` is what follows it); the handler looked at it
    /// and answered at once (`earlyResponse`) or not.
    mutating func headReceived(
        _ head: HTTPRequestHead, earlyResponse: HTTPResponse?, buffered: Int, isDraining: @autoclosure () -> Bool
    ) -> Action {
        guard case .readingHead = state else { return .wait }
        let announcedBody = (head.contentLength ?? 0) > 0
        if let earlyResponse {
            // An unread body cannot be skipped reliably: close after the answer.
            let close = announcedBody || !head.keepAlive || isDraining()
            state = .writing(close: close)
            return .respond(earlyResponse, close: close)
        }
        if let length = head.contentLength, length > limits.maxBodyBytes {
            state = .writing(close: true)
            return .respond(
                .error(413, code: "body_too_large", message: "body exceeds \(limits.maxBodyBytes) bytes"), close: true)
        }
        state = .readingBody(head)
        // Only when the body has not started to arrive: a client that sent it anyway does not wait.
        if head.expectsContinue && announcedBody && buffered == 0 { return .sendContinue }
        return next(buffered: buffered)
    }

    /// The client sent EOF (the read returned 0). A request being handled or answered still gets its reply (and
    /// those pipelined before the EOF theirs); otherwise there is nothing left to answer.
    mutating func peerSentEOF() -> Action {
        switch state {
        case .handling, .writing:
            peerFinished = true
            return pause()
        case .readingHead, .readingBody:
            return .close
        case .closed:
            return .wait
        }
    }

    /// After a step with nothing more to read: close when the client is done, else pause or resume reading.
    private mutating func waitForInput(buffered: Int) -> Action {
        switch state {
        case .readingHead, .readingBody:
            // Once every complete request has been answered, a partial one never will be.
            if peerFinished { return .close }
        case .writing(close: true), .closed:
            return buffered >= limits.input ? pause() : .wait
        case .handling, .writing(close: false):
            break
        }
        if buffered >= limits.input { return pause() }
        guard !isReading, !peerFinished else { return .wait }
        isReading = true
        return .resumeReading
    }

    private mutating func pause() -> Action {
        guard isReading else { return .wait }
        isReading = false
        return .pauseReading
    }

    // MARK: Output

    /// The handler's reply, on the loop thread. After the client's EOF, the last reply closes.
    mutating func replyReady(
        _ response: HTTPResponse, buffered: Int, isDraining: @autoclosure () -> Bool
    ) -> Action {
        guard case .handling(let keepAlive) = state else { return .dropReply }
        let close = !keepAlive || isDraining() || (peerFinished && buffered == 0)
        state = .writing(close: close)
        return .respond(response, close: close)
    }

    /// The reply of `.respond` or `.refuse` went to the socket whole (`completely`) or waits in the output buffer.
    mutating func replyWritten(completely: Bool) -> Action {
        guard case .writing(let close) = state else { return .wait }
        if completely && !close {
            state = .readingHead(sawBytes: false)
            return .armTimer(pauseReading: false)
        }
        // A connection that closes reads no more: what the client sends now would be answered by nobody.
        guard close, isReading else { return .armTimer(pauseReading: false) }
        isReading = false
        return .armTimer(pauseReading: true)
    }

    /// The output buffer drained.
    mutating func outputDrained() -> Action {
        guard case .writing(let close) = state else { return .wait }
        if close { return .close }
        state = .readingHead(sawBytes: false)
        return .armTimer(pauseReading: false)
    }

    // MARK: Ending

    /// The read timer fired. A client that sent part of a request is told 408 (one that does not read its 408 is
    /// cut off by the next timeout); an idle one, or one that does not read its reply, is closed.
    mutating func timedOut() -> Action {
        switch state {
        case .readingHead(sawBytes: false), .writing:
            return .close
        case .readingHead(sawBytes: true), .readingBody:
            state = .writing(close: true)
            return .refuse(.init(status: 408, code: "request_timeout", message: "the request did not arrive in time"))
        case .handling, .closed:
            return .wait
        }
    }

    /// The connection is closed (by an action or by an I/O error); false when it already was.
    mutating func closed() -> Bool {
        if case .closed = state { return false }
        state = .closed
        isReading = false
        return true
    }
}
