import CLibevent
import Glibc

/// One client connection on one event loop: the libevent driver of a `ConnectionStateMachine`, which makes every
/// protocol decision (keep-alive, pipelining, EOF, timeouts, limits; see there). This class carries out its
/// actions (read, parse, hand over, write, arm the timer, close) and reports what came of them.
///
/// Two paths keep keep-alive load cheap. The socket is read by the connection's own event, with readv into the
/// bufferevent's input buffer, not by the bufferevent: libevent's `evbuffer_read` asks the kernel how much is
/// waiting (an `FIONREAD` ioctl) before every read, a syscall per request for nothing. And a reply that fits the
/// socket is sent at once, not through the bufferevent: under keep-alive load that was four epoll_ctl calls and a
/// loop iteration per request. Reading is never toggled per request, only when the input buffer is full or the
/// client is done. The bufferevent holds the input buffer and writes the rest: a reply that did not fit, and every
/// reply that closes (its write callback then closes, once the reply is out).
///
/// `@unchecked Sendable`: responders on other threads hold a reference, but every mutable property is touched only
/// on the owning worker's loop thread (replies reach it through `Worker.post`).
final class Connection: @unchecked Sendable {
    typealias Action = ConnectionStateMachine.Action

    unowned let worker: Worker
    private var bev: OpaquePointer?
    private var readEvent: OpaquePointer?
    private var timer: OpaquePointer?
    private let peerAddress: String
    private var machine: ConnectionStateMachine

    init?(worker: Worker, fd: Int32, peerAddress: String) {
        self.worker = worker
        self.peerAddress = peerAddress
        machine = ConnectionStateMachine(
            limits: .init(
                maxHeaderBytes: worker.configuration.maxHeaderBytes, maxBodyBytes: worker.configuration.maxBodyBytes))
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
        // The machine starts reading, with the timer running: the first request must arrive in time too.
        event_add(readEvent, nil)
        armTimer()
    }

    private static let continueLine: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"

    // MARK: Events

    fileprivate func socketReadable() {
        guard let input = bev.flatMap(bufferevent_get_input) else { return }
        run(machine.socketReadable(buffered: evbuffer_get_length(input)))
    }

    /// A reply from the handler, on the loop thread.
    func deliver(_ response: HTTPResponse) {
        worker.counters.inFlight.add(-1, ordering: .relaxed)
        let buffered = bev.flatMap(bufferevent_get_input).map(evbuffer_get_length) ?? 0
        let action = machine.replyReady(response, buffered: buffered, isDraining: worker.isDraining)
        if case .dropReply = action {
            worker.counters.responsesDropped.add(1, ordering: .relaxed)
            return
        }
        run(action)
    }

    /// The output buffer drained.
    fileprivate func writable() {
        run(machine.outputDrained())
    }

    fileprivate func timedOut() {
        run(machine.timedOut())
    }

    func closeConnection() {
        guard machine.closed() else { return }
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

    // MARK: Actions

    /// Carries out `action` and those that follow from it, until one waits for the next event. A loop, never
    /// recursion: hundreds of pipelined requests answered at once are taken one after another here.
    private func run(_ first: Action) {
        guard let bev, let input = bufferevent_get_input(bev) else { return }
        var action = first
        while true {
            switch action {
            case .read(let limit):
                action = read(upTo: limit, into: input, from: bufferevent_getfd(bev))
            case .parseHead(let window):
                action = parseHead(window: window, in: input)
            case .handle(let head, let length):
                let body = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
                    count = length > 0 ? max(0, Int(evbuffer_remove(input, buffer.baseAddress, length))) : 0
                }
                disarmTimer()
                worker.counters.inFlight.add(1, ordering: .relaxed)
                worker.handler.handle(HTTPRequest(head: head, body: body), responder: HTTPResponder(connection: self))
                action = machine.next(buffered: evbuffer_get_length(input))
            case .respond(let response, let close):
                worker.counters.responsesSent.add(1, ordering: .relaxed)
                action = machine.replyWritten(completely: write(response, close: close, to: bev))
            case .refuse(let error):
                worker.logger.debug(
                    error.status == 408 ? "request read timeout" : "refused a malformed request",
                    metadata: ["peer": "\(peerAddress)", "status": "\(error.status)", "reason": "\(error.message)"])
                let response = HTTPResponse.error(error.status, code: error.code, message: error.message)
                worker.handler.requestRefused(status: error.status, code: error.code, peerAddress: peerAddress)
                action = machine.replyWritten(completely: write(response, close: true, to: bev))
            case .sendContinue:
                bufferevent_write(bev, Self.continueLine.utf8Start, Self.continueLine.utf8CodeUnitCount)
                action = machine.next(buffered: evbuffer_get_length(input))
            case .armTimer(let pauseReading):
                if pauseReading, let readEvent { event_del(readEvent) }
                armTimer()
                action = machine.next(buffered: evbuffer_get_length(input))
            case .pauseReading:
                if let readEvent { event_del(readEvent) }
                return
            case .resumeReading:
                if let readEvent { event_add(readEvent, nil) }
                return
            case .wait:
                return
            case .dropReply:
                worker.counters.responsesDropped.add(1, ordering: .relaxed)
                return
            case .close:
                closeConnection()
                return
            }
        }
    }

    /// One readv of at most `limit` bytes into the input buffer's free space.
    private func read(upTo limit: Int, into input: OpaquePointer, from fd: Int32) -> Action {
        var vectors = (iovec(), iovec())
        let received = withUnsafeMutablePointer(to: &vectors) { pair in
            pair.withMemoryRebound(to: iovec.self, capacity: 2) { vector -> Int? in
                let count = evbuffer_reserve_space(input, limit, vector, 2)
                guard count > 0 else { return nil }
                let received = readv(fd, vector, count)
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
            return .close
        }
        if received > 0 { return machine.next(buffered: evbuffer_get_length(input)) }
        if received == 0 { return machine.peerSentEOF() }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wait : .close
    }

    /// Looks for a head in the first `window` buffered bytes and tells the machine what came of it.
    private func parseHead(window: Int, in input: OpaquePointer) -> Action {
        guard let pointer = evbuffer_pullup(input, window) else {
            worker.logger.error("cannot make a request head contiguous (evbuffer_pullup); closing the connection")
            return .close
        }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: window)
        guard let headLength = RequestHeadParser.headLength(in: bytes) else {
            return machine.headIncomplete(buffered: evbuffer_get_length(input))
        }
        let head: HTTPRequestHead
        do {
            head = try RequestHeadParser.parse(
                UnsafeRawBufferPointer(rebasing: bytes[0..<headLength]), peerAddress: peerAddress)
        } catch {
            return machine.headRejected(error)
        }
        evbuffer_drain(input, headLength)
        worker.counters.requestsReceived.add(1, ordering: .relaxed)
        return machine.headReceived(
            head, earlyResponse: worker.handler.respondEarly(to: head), buffered: evbuffer_get_length(input),
            isDraining: worker.isDraining)
    }

    /// Sends a reply and returns true when the socket took all of it at once (only a reply that keeps the
    /// connection open is tried so); otherwise the rest goes through the bufferevent, whose write callback reports
    /// when it is out.
    private func write(_ response: HTTPResponse, close: Bool, to bev: OpaquePointer) -> Bool {
        let bytes = response.serialized(close: close)
        var sent = 0
        if !close, let output = bufferevent_get_output(bev), evbuffer_get_length(output) == 0 {
            let written = bytes.withUnsafeBytes {
                send(bufferevent_getfd(bev), $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written == bytes.count { return true }
            // EAGAIN or a short write: the rest waits in the bufferevent; an error shows there too.
            sent = max(written, 0)
        }
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { bufferevent_write(bev, base + sent, raw.count - sent) }
        }
        return false
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
