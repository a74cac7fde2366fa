// libFuzzer target: any bytes as the start of a connection's input, as the server sees them. Finding the end of
// the head and parsing it must return or throw a HeadError (400, 411 or 505), never crash, and what parses must
// hold what the parser promises its callers: a token method, a path target, lowercase token header names, values
// without control characters or surrounding blanks, a Content-Length that is not negative, and the same result
// whether or not bytes follow the head. The same bytes are also one client's whole input to a connection's state
// machine, played by a simulated driver (below).
@testable import HTTPServer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    drive(bytes)
    guard let length = RequestHeadParser.headLength(in: bytes) else { return 0 }
    precondition(length >= 2 && length <= size && bytes[length - 1] == 0x0A, "head length \(length) of \(size)")
    precondition(
        RequestHeadParser.headLength(in: UnsafeRawBufferPointer(rebasing: bytes[0..<(length - 1)])) == nil,
        "a shorter head ends earlier")
    let head = UnsafeRawBufferPointer(rebasing: bytes[0..<length])
    let parsed = Result { () throws(RequestHeadParser.HeadError) in try RequestHeadParser.parse(head, peerAddress: "") }
    let whole = Result { () throws(RequestHeadParser.HeadError) in try RequestHeadParser.parse(bytes, peerAddress: "") }
    switch (parsed, whole) {
    case (.success(let head), .success(let again)):
        check(head)
        precondition(
            head.method == again.method && head.path == again.path && head.query == again.query
                && head.contentLength == again.contentLength && head.headers.count == again.headers.count,
            "the bytes after the head changed the parse")
    case (.failure(let error), .failure(let again)):
        precondition([400, 411, 505].contains(error.status) && !error.code.isEmpty, "unexpected refusal \(error)")
        precondition(error == again, "the bytes after the head changed the refusal")
    default:
        preconditionFailure("the bytes after the head changed whether it parses")
    }
    return 0
}

private func check(_ head: HTTPRequestHead) {
    precondition(!head.method.isEmpty && head.method.utf8.allSatisfy(RequestHeadParser.isTokenByte), "method")
    precondition(head.path == "*" || head.path.utf8.first == UInt8(ascii: "/"), "path \(head.path)")
    for byte in Array(head.path.utf8) + Array((head.query ?? "").utf8) {
        precondition(byte > 0x20 && byte < 0x7F, "target")
    }
    precondition((head.contentLength ?? 0) >= 0 && !head.isChunked, "length")
    for (name, value) in head.headers {
        precondition(
            !name.isEmpty && name.utf8.allSatisfy { RequestHeadParser.isTokenByte($0) && !(0x41...0x5A).contains($0) },
            "header name \(name)")
        precondition(value.allSatisfy { ($0 >= 0x20 || $0 == 0x09) && $0 != 0x7F }, "control byte in \(name)")
        precondition(value.first != 0x20 && value.first != 0x09 && value.last != 0x20 && value.last != 0x09, "blank")
    }
}

/// Plays the connection's driver: `input` is everything one client sends, then EOF, in reads of a size taken from
/// its first byte; the handler answers every request at once, and as the input's last byte says, a reply goes out
/// whole or waits in the output buffer, and the socket is read before or after the other events. The connection must end (no action loop, no wait for nothing), never read
/// past its input limit nor parse past what is buffered, and answer every request it handed over.
private func drive(_ input: UnsafeRawBufferPointer) {
    var machine = ConnectionStateMachine(limits: .init(maxHeaderBytes: 64, maxBodyBytes: 64))
    var buffer: [UInt8] = []
    var delivered = 0
    let readSize = 1 + Int(input.first ?? 0) % 13
    let repliesFitTheSocket = (input.last ?? 0) & 1 == 0
    let readsFirst = (input.last ?? 0) & 2 == 0
    var replyPending = false
    var outputQueued = false
    var action = machine.socketReadable(buffered: 0)
    for _ in 0..<(64 * input.count + 64) {
        switch action {
        case .read(let limit):
            precondition(limit > 0 && buffer.count + limit <= machine.limits.input, "read past the input limit")
            let count = min(limit, readSize, input.count - delivered)
            guard count > 0 else {
                action = machine.peerSentEOF()
                continue
            }
            buffer += input[delivered..<(delivered + count)]
            delivered += count
            action = machine.next(buffered: buffer.count)
        case .parseHead(let window):
            precondition(window > 0 && window <= min(buffer.count, machine.limits.maxHeaderBytes), "parse window")
            let head = Array(buffer[0..<window])
            let length = head.withUnsafeBytes { RequestHeadParser.headLength(in: $0) }
            guard let length else {
                action = machine.headIncomplete(buffered: buffer.count)
                continue
            }
            let parsed = head.withUnsafeBytes { raw in
                Result { () throws(RequestHeadParser.HeadError) in
                    try RequestHeadParser.parse(UnsafeRawBufferPointer(rebasing: raw[0..<length]), peerAddress: "")
                }
            }
            switch parsed {
            case .success(let head):
                buffer.removeFirst(length)
                action = machine.headReceived(head, earlyResponse: nil, buffered: buffer.count, isDraining: false)
            case .failure(let error):
                action = machine.headRejected(error)
            }
        case .handle(_, let bodyLength):
            precondition(bodyLength <= buffer.count && !replyPending, "handed over too early")
            buffer.removeFirst(bodyLength)
            replyPending = true
            action = machine.next(buffered: buffer.count)
        case .respond(_, let close):
            let whole = repliesFitTheSocket && !close
            outputQueued = !whole
            action = machine.replyWritten(completely: whole)
        case .refuse:
            outputQueued = true
            action = machine.replyWritten(completely: false)
        case .sendContinue, .armTimer:
            action = machine.next(buffered: buffer.count)
        case .pauseReading, .resumeReading, .wait:
            // The next event, as a loop might see it: the socket, the handler's reply, the output draining, or
            // else the timer.
            if readsFirst && machine.isReading {
                action = machine.socketReadable(buffered: buffer.count)
            } else if replyPending {
                replyPending = false
                action = machine.replyReady(HTTPResponse(status: 200), buffered: buffer.count, isDraining: false)
            } else if outputQueued {
                outputQueued = false
                action = machine.outputDrained()
            } else if machine.isReading {
                action = machine.socketReadable(buffered: buffer.count)
            } else {
                action = machine.timedOut()
            }
        case .dropReply:
            preconditionFailure("a reply was dropped on an open connection")
        case .close:
            precondition(!replyPending, "closed with a request unanswered")
            precondition(machine.closed(), "closed twice")
            return
        }
    }
    preconditionFailure("the connection never ended")
}
