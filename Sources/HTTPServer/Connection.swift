import CLibevent
import Glibc

/// One client connection on one event loop: reads a head, asks the handler whether to read the body, reads exactly
/// Content-Length bytes, hands the request over, writes the reply, then starts over (keep-alive) or closes.
/// One request at a time: pipelined bytes wait in the input buffer while a request is handled, and reading from
/// the socket pauses once that buffer holds what one request may need (one head plus one body). Reading is never
/// toggled per request, and a reply that fits the socket is sent at once, not through the bufferevent: under
/// keep-alive load those were four epoll_ctl calls and a loop iteration per request. The socket is read by the
/// connection's own event, not the bufferevent's: libevent's `evbuffer_read` asks the kernel how much is waiting
/// (an `FIONREAD` ioctl) before every read, a syscall per request for nothing. The bufferevent writes and holds
/// the input buffer.
///
/// `@unchecked Sendable`: responders on other threads hold a reference, but every mutable property is touched only
/// on the owning worker's loop thread (replies reach it through `Worker.post`).
final class Connection: @unchecked Sendable {
    enum State {
        case readingHead
        case readingBody(HTTPRequestHead)
        case handling(HTTPRequestHead)
        case writing(close: Bool)
        case closed
    }

    unowned let worker: Worker
    private var bev: OpaquePointer?
    private var readEvent: OpaquePointer?
    /// Reading stopped: the input buffer is full, the client sent EOF, or the connection is closing.
    private var readingPaused = false
    private var timer: OpaquePointer?
    private let peerAddress: String
    private var state = State.readingHead
    /// Bytes of the current request seen so far (a timeout with none is a silent close, not a 408).
    private var sawRequestBytes = false
    /// The client finished sending (EOF) while its request was handled or answered: answer, then close.
    private var peerFinished = false

    init?(worker: Worker, fd: Int32, peerAddress: String) {
        self.worker = worker
        self.peerAddress = peerAddress
        guard let bev = bufferevent_socket_new(worker.base, fd, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue)) else {
            close(fd)
            return nil
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let readEvent = event_new(worker.base, fd, Int16(EV_READ | EV_PERSIST), connectionSocketReadable, context)
        else {
            bufferevent_free(bev)
            return nil
        }
        self.bev = bev
        self.readEvent = readEvent
        bufferevent_setcb(bev, nil, connectionWriteCallback, connectionEventCallback, context)
        timer = event_new(worker.base, -1, 0, connectionTimeoutCallback, context)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // A socket bufferevent freezes its input's end so that only its own reads add to it; here ours do.
        if let input = bufferevent_get_input(bev) { evbuffer_unfreeze(input, 0) }
        bufferevent_enable(bev, Int16(EV_WRITE))
        event_add(readEvent, nil)
        armTimer()
    }

    /// At most this much waits in the input buffer: one whole request.
    private var inputLimit: Int { worker.configuration.maxHeaderBytes + worker.configuration.maxBodyBytes }

    /// The socket has bytes (or EOF, or an error): read what fits under the limit into the input buffer.
    fileprivate func socketReadable() {
        guard let bev, let input = bufferevent_get_input(bev) else { return }
        let room = inputLimit - evbuffer_get_length(input)
        guard room > 0 else { return pauseReading() }
        var vectors = (iovec(), iovec())
        let received = withUnsafeMutablePointer(to: &vectors) { pair in
            pair.withMemoryRebound(to: iovec.self, capacity: 2) { vector -> Int? in
                let count = evbuffer_reserve_space(input, min(room, 16_384), vector, 2)
                guard count > 0 else { return nil }
                let received = readv(bufferevent_getfd(bev), vector, count)
                guard received > 0 else { return received }
                // Commit what arrived: the first vector fills before the second.
                let first = min(received, vector[0].iov_len)
                vector[0].iov_len = first
                if count > 1 { vector[1].iov_len = received - first }
                evbuffer_commit_space(input, vector, received > first ? 2 : 1)
                return received
            }
        }
        guard let received else {
            worker.logger.error("cannot grow a connection's input buffer (evbuffer_reserve_space); closing it")
            return closeConnection()
        }
        if received == 0 {
            pauseReading()
            peerSentEOF()
            return
        }
        if received < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            closeConnection()
            return
        }
        readable()
    }

    private func pauseReading() {
        guard !readingPaused, let readEvent else { return }
        readingPaused = true
        event_del(readEvent)
    }

    /// Reading goes on once the input buffer has room again (not after EOF or when closing).
    private func resumeReadingIfRoom() {
        guard readingPaused, !peerFinished, let bev, let input = bufferevent_get_input(bev), let readEvent else { return }
        if case .writing(close: true) = state { return }
        guard evbuffer_get_length(input) < inputLimit else { return }
        readingPaused = false
        event_add(readEvent, nil)
    }

    private func armTimer() {
        guard let timer else { return }
        let seconds = worker.configuration.readTimeoutSeconds
        var interval = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        event_add(timer, &interval)
    }

    private func disarmTimer() {
        if let timer { event_del(timer) }
    }

    // MARK: Reading

    func readable() {
        guard let bev, let input = bufferevent_get_input(bev) else { return }
        loop: while true {
            switch state {
            case .readingHead:
                guard readHead(input) else { break loop }
            case .readingBody(let head):
                guard readBody(input, head: head) else { break loop }
            case .handling, .writing, .closed:
                return
            }
        }
        // Nothing more will come: once every complete request has been answered, a partial one never will be.
        if peerFinished, isWaitingForARequest || isReadingABody {
            closeConnection()
            return
        }
        if evbuffer_get_length(input) >= inputLimit {
            pauseReading()
        } else {
            resumeReadingIfRoom()
        }
    }

    /// Returns true when the state moved on and reading should continue.
    private func readHead(_ input: OpaquePointer) -> Bool {
        let available = evbuffer_get_length(input)
        guard available > 0 else { return false }
        sawRequestBytes = true
        let limit = worker.configuration.maxHeaderBytes
        let window = min(available, limit)
        guard let pointer = evbuffer_pullup(input, window) else { return false }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: window)
        guard let headLength = RequestHeadParser.headLength(in: bytes) else {
            if available >= limit {
                fail(.init(status: 431, code: "header_too_large", message: "request head exceeds \(limit) bytes"))
            }
            return false
        }
        let head: HTTPRequestHead
        do {
            head = try RequestHeadParser.parse(
                UnsafeRawBufferPointer(rebasing: bytes[0..<headLength]), peerAddress: peerAddress)
        } catch {
            fail(error)
            return false
        }
        evbuffer_drain(input, headLength)
        worker.counters.requestsReceived.add(1, ordering: .relaxed)
        let announcedBody = (head.contentLength ?? 0) > 0
        if let early = worker.handler.respondEarly(to: head) {
            worker.counters.responsesSent.add(1, ordering: .relaxed)
            write(early, close: announcedBody || !head.keepAlive || worker.isDraining)
            // Sent at once: go on with the next pipelined request in this same loop (never by recursion).
            return isWaitingForARequest
        }
        if let length = head.contentLength, length > worker.configuration.maxBodyBytes {
            write(.error(413, code: "body_too_large", message: "body exceeds \(worker.configuration.maxBodyBytes) bytes"),
                  close: true)
            worker.counters.responsesSent.add(1, ordering: .relaxed)
            return false
        }
        if head.expectsContinue && announcedBody && evbuffer_get_length(input) == 0, let bev {
            let line = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            bufferevent_write(bev, line, line.count)
        }
        state = .readingBody(head)
        return true
    }

    private func readBody(_ input: OpaquePointer, head: HTTPRequestHead) -> Bool {
        let length = head.contentLength ?? 0
        guard evbuffer_get_length(input) >= length else { return false }
        let body = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            count = length > 0 ? max(0, Int(evbuffer_remove(input, buffer.baseAddress, length))) : 0
        }
        state = .handling(head)
        disarmTimer()
        worker.counters.inFlight.add(1, ordering: .relaxed)
        worker.handler.handle(HTTPRequest(head: head, body: body), responder: HTTPResponder(connection: self))
        return false
    }

    // MARK: Writing

    /// A reply from the handler, on the loop thread.
    func deliver(_ response: HTTPResponse) {
        worker.counters.inFlight.add(-1, ordering: .relaxed)
        guard case .handling(let head) = state else {
            worker.counters.responsesDropped.add(1, ordering: .relaxed)
            return
        }
        worker.counters.responsesSent.add(1, ordering: .relaxed)
        // After the client's EOF, requests it pipelined before it are still answered; the last reply closes.
        let nothingBuffered = bufferevent_get_input(bev).map { evbuffer_get_length($0) == 0 } ?? true
        write(response, close: !head.keepAlive || worker.isDraining || (peerFinished && nothingBuffered))
        if isWaitingForARequest { readable() }
    }

    /// Sends a reply: at once when the socket takes all of it (keep-alive), else through the bufferevent, whose
    /// write callback then moves on. A reply that closes always goes through the bufferevent.
    private func write(_ response: HTTPResponse, close: Bool) {
        guard let bev else { return }
        let bytes = response.serialized(close: close)
        var sent = 0
        if !close, let output = bufferevent_get_output(bev), evbuffer_get_length(output) == 0 {
            let written = bytes.withUnsafeBytes { send(bufferevent_getfd(bev), $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written == bytes.count {
                waitForTheNextRequest()
                return
            }
            // EAGAIN or a short write: the rest waits in the bufferevent; an error shows there too.
            sent = max(written, 0)
        }
        state = .writing(close: close)
        if close { pauseReading() }
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { bufferevent_write(bev, base + sent, raw.count - sent) }
        }
        armTimer()
    }

    /// The output buffer drained.
    func writable() {
        guard case .writing(let close) = state else { return }
        if close {
            closeConnection()
            return
        }
        waitForTheNextRequest()
        readable()
    }

    private func waitForTheNextRequest() {
        state = .readingHead
        sawRequestBytes = false
        armTimer()
    }

    private var isWaitingForARequest: Bool {
        if case .readingHead = state { return true }
        return false
    }

    private var isReadingABody: Bool {
        if case .readingBody = state { return true }
        return false
    }

    private func fail(_ error: RequestHeadParser.HeadError) {
        worker.logger.debug(
            "refused a malformed request", metadata: ["peer": "\(peerAddress)", "status": "\(error.status)",
                                                      "reason": "\(error.message)"])
        write(.error(error.status, code: error.code, message: error.message), close: true)
    }

    // MARK: Ending

    func timedOut() {
        switch state {
        case .readingHead where !sawRequestBytes, .writing, .closed:
            closeConnection()
        case .readingHead, .readingBody:
            worker.logger.debug("request read timeout", metadata: ["peer": "\(peerAddress)"])
            write(.error(408, code: "request_timeout", message: "the request did not arrive in time"), close: true)
            // A client that does not read its 408 is cut off by the next timeout.
        case .handling:
            break
        }
    }

    /// The client sent EOF. A request being handled or answered still gets its reply; otherwise close now.
    private func peerSentEOF() {
        switch state {
        case .handling, .writing: peerFinished = true
        case .readingHead, .readingBody, .closed: closeConnection()
        }
    }

    func closeConnection() {
        if case .closed = state { return }
        state = .closed
        if let timer {
            event_free(timer)
            self.timer = nil
        }
        if let readEvent {
            event_free(readEvent)
            self.readEvent = nil
        }
        if let bev {
            bufferevent_free(bev)
            self.bev = nil
        }
        worker.connectionClosed(self)
    }
}

private func connectionSocketReadable(_ fd: Int32, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue().socketReadable()
}

private func connectionWriteCallback(_ bev: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue().writable()
}

private func connectionEventCallback(_ bev: OpaquePointer?, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    // The bufferevent only writes (the socket is read by `socketReadable`, which sees EOF): what it reports is a
    // failed write.
    if events & Int16(BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT | BEV_EVENT_EOF) != 0 {
        Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue().closeConnection()
    }
}

private func connectionTimeoutCallback(_ fd: Int32, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue().timedOut()
}
