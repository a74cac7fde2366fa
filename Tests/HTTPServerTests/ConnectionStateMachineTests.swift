import Testing

@testable import HTTPServer

/// Every transition of the connection's protocol decisions, without sockets: each test plays the driver, feeding
/// events and checking the one action each returns. Limits: a 100-byte head, a 400-byte body, so the input buffer
/// holds at most 500 bytes.
@Suite struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine

    private func machine() -> Machine {
        Machine(limits: .init(maxHeaderBytes: 100, maxBodyBytes: 400))
    }

    private func head(_ text: String) throws -> HTTPRequestHead {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(RequestHeadParser.HeadError) in
                try RequestHeadParser.parse(raw, peerAddress: "127.0.0.1")
            }
        }
        return try result.get()
    }

    private let get = "GET / HTTP/1.1\r\n\r\n"
    private let ok = HTTPResponse(status: 200)

    /// Drives a fresh machine to `.handling` with a bodyless keep-alive request.
    private func handling(_ request: String? = nil, buffered: Int = 0) throws -> Machine {
        var machine = machine()
        #expect(describe(machine.next(buffered: 20)) == "parseHead(20)")
        let action = machine.headReceived(
            try head(request ?? get), earlyResponse: nil, buffered: buffered, isDraining: false)
        #expect(describe(action).hasPrefix("handle("))
        return machine
    }

    @Test func startsWaitingForAHeadWhileReading() {
        let machine = machine()
        #expect(describe(machine.state) == "readingHead(sawBytes: false)")
        #expect(machine.isReading)
        #expect(!machine.peerFinished)
    }

    @Test func readsWhatFitsUnderTheInputLimitAndPausesWhenFull() {
        var machine = machine()
        #expect(describe(machine.socketReadable(buffered: 0)) == "read(500)")
        #expect(describe(machine.socketReadable(buffered: 499)) == "read(1)")
        #expect(describe(machine.socketReadable(buffered: 500)) == "pauseReading")
        #expect(!machine.isReading)
        #expect(describe(machine.socketReadable(buffered: 500)) == "wait")
        var large = Machine(limits: .init(maxHeaderBytes: 16_384, maxBodyBytes: 1_048_576))
        #expect(describe(large.socketReadable(buffered: 0)) == "read(\(Machine.readChunk))")
    }

    @Test func bufferedBytesAreParsedWithinTheHeadLimit() {
        var machine = machine()
        #expect(describe(machine.next(buffered: 0)) == "wait")
        #expect(describe(machine.state) == "readingHead(sawBytes: false)")
        #expect(describe(machine.next(buffered: 30)) == "parseHead(30)")
        #expect(describe(machine.state) == "readingHead(sawBytes: true)")
        #expect(describe(machine.next(buffered: 450)) == "parseHead(100)")
    }

    @Test func anIncompleteHeadWaitsUntilItReachesTheLimitThen431AndClose() {
        var machine = machine()
        _ = machine.next(buffered: 99)
        #expect(describe(machine.headIncomplete(buffered: 99)) == "wait")
        #expect(describe(machine.headIncomplete(buffered: 100)) == "refuse(431 header_too_large)")
        #expect(describe(machine.state) == "writing(close: true)")
        #expect(describe(machine.replyWritten(completely: false)) == "armTimer(pauseReading: true)")
        #expect(!machine.isReading)
        #expect(describe(machine.next(buffered: 100)) == "wait")
        #expect(describe(machine.outputDrained()) == "close")
    }

    @Test func aMalformedHeadIsRefusedAndClosed() {
        var machine = machine()
        _ = machine.next(buffered: 10)
        let error = RequestHeadParser.HeadError(status: 400, code: "bad_request", message: "malformed request line")
        #expect(describe(machine.headRejected(error)) == "refuse(400 bad_request)")
        #expect(describe(machine.state) == "writing(close: true)")
        #expect(describe(machine.replyWritten(completely: false)) == "armTimer(pauseReading: true)")
        #expect(describe(machine.outputDrained()) == "close")
    }

    @Test func aBodylessRequestIsHandedOverAtOnceAndTheTimerStops() throws {
        var machine = machine()
        _ = machine.next(buffered: 18)
        let action = machine.headReceived(try head(get), earlyResponse: nil, buffered: 0, isDraining: false)
        #expect(describe(action) == "handle(GET /, 0)")
        #expect(describe(machine.state) == "handling(keepAlive: true)")
        #expect(describe(machine.next(buffered: 0)) == "wait")
    }

    @Test func aBodyIsHandedOverOnceItIsAllBuffered() throws {
        var machine = machine()
        _ = machine.next(buffered: 50)
        let post = try head("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n")
        #expect(describe(machine.headReceived(post, earlyResponse: nil, buffered: 2, isDraining: false)) == "wait")
        #expect(describe(machine.state) == "readingBody(POST /x)")
        #expect(describe(machine.next(buffered: 4)) == "wait")
        #expect(describe(machine.next(buffered: 5)) == "handle(POST /x, 5)")
        var pipelined = self.machine()
        _ = pipelined.next(buffered: 90)
        #expect(
            describe(pipelined.headReceived(post, earlyResponse: nil, buffered: 50, isDraining: false))
                == "handle(POST /x, 5)")
    }

    @Test func keepAliveReplySentAtOnceGoesStraightToTheNextPipelinedRequest() throws {
        var machine = try handling()
        // Pipelined bytes wait while the request is handled.
        #expect(describe(machine.next(buffered: 40)) == "wait")
        #expect(describe(machine.replyReady(ok, buffered: 40, isDraining: false)) == "respond(200, close: false)")
        #expect(describe(machine.state) == "writing(close: false)")
        #expect(describe(machine.replyWritten(completely: true)) == "armTimer(pauseReading: false)")
        #expect(describe(machine.state) == "readingHead(sawBytes: false)")
        #expect(describe(machine.next(buffered: 40)) == "parseHead(40)")
    }

    @Test func aReplyThatDidNotFitGoesOnOnceTheOutputDrains() throws {
        var machine = try handling()
        _ = machine.replyReady(ok, buffered: 0, isDraining: false)
        #expect(describe(machine.replyWritten(completely: false)) == "armTimer(pauseReading: false)")
        #expect(machine.isReading)
        #expect(describe(machine.state) == "writing(close: false)")
        #expect(describe(machine.next(buffered: 10)) == "wait")
        #expect(describe(machine.outputDrained()) == "armTimer(pauseReading: false)")
        #expect(describe(machine.next(buffered: 10)) == "parseHead(10)")
    }

    @Test func repliesCloseForHTTP10WithoutKeepAliveConnectionCloseAndDraining() throws {
        var http10 = try handling("GET / HTTP/1.0\r\n\r\n")
        #expect(describe(http10.replyReady(ok, buffered: 0, isDraining: false)) == "respond(200, close: true)")
        var close = try handling("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(describe(close.replyReady(ok, buffered: 0, isDraining: false)) == "respond(200, close: true)")
        var draining = try handling()
        #expect(describe(draining.replyReady(ok, buffered: 0, isDraining: true)) == "respond(200, close: true)")
        #expect(describe(draining.replyWritten(completely: false)) == "armTimer(pauseReading: true)")
        #expect(describe(draining.outputDrained()) == "close")
        var keepAlive = try handling("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(describe(keepAlive.replyReady(ok, buffered: 0, isDraining: false)) == "respond(200, close: false)")
    }

    @Test func drainingIsOnlyAskedWhenItDecidesSomething() throws {
        var asked = 0
        func draining() -> Bool {
            asked += 1
            return false
        }
        var close = try handling("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        _ = close.replyReady(ok, buffered: 0, isDraining: draining())
        #expect(asked == 0)
        var keepAlive = try handling()
        _ = keepAlive.replyReady(ok, buffered: 0, isDraining: draining())
        #expect(asked == 1)
        var fresh = machine()
        _ = fresh.next(buffered: 18)
        _ = fresh.headReceived(try head(get), earlyResponse: nil, buffered: 0, isDraining: draining())
        #expect(asked == 1)
    }

    @Test func aLateReplyIsDropped() throws {
        var machine = try handling()
        let closed = machine.closed()
        #expect(closed)
        #expect(describe(machine.replyReady(ok, buffered: 0, isDraining: false)) == "dropReply")
        var idle = self.machine()
        #expect(describe(idle.replyReady(ok, buffered: 0, isDraining: false)) == "dropReply")
    }

    @Test func earlyAnswersKeepTheConnectionOnlyWithoutABodyAndWithKeepAlive() throws {
        let early = HTTPResponse(status: 404)
        var bodyless = machine()
        _ = bodyless.next(buffered: 18)
        #expect(
            describe(bodyless.headReceived(try head(get), earlyResponse: early, buffered: 0, isDraining: false))
                == "respond(404, close: false)")
        #expect(describe(bodyless.replyWritten(completely: true)) == "armTimer(pauseReading: false)")
        #expect(describe(bodyless.next(buffered: 18)) == "parseHead(18)")

        let withBody = try head("POST / HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n")
        var announced = machine()
        _ = announced.next(buffered: 50)
        #expect(
            describe(announced.headReceived(withBody, earlyResponse: early, buffered: 0, isDraining: false))
                == "respond(404, close: true)")
        #expect(describe(announced.replyWritten(completely: false)) == "armTimer(pauseReading: true)")
        #expect(describe(announced.outputDrained()) == "close")

        var http10 = machine()
        _ = http10.next(buffered: 18)
        let old = try head("GET / HTTP/1.0\r\n\r\n")
        #expect(
            describe(http10.headReceived(old, earlyResponse: early, buffered: 0, isDraining: false))
                == "respond(404, close: true)")
        var draining = machine()
        _ = draining.next(buffered: 18)
        #expect(
            describe(draining.headReceived(try head(get), earlyResponse: early, buffered: 0, isDraining: true))
                == "respond(404, close: true)")
    }

    @Test func aBodyOverTheLimitIs413AndClosedWithoutReadingIt() throws {
        var machine = machine()
        _ = machine.next(buffered: 50)
        let atLimit = try head("POST / HTTP/1.1\r\nContent-Length: 400\r\n\r\n")
        #expect(describe(machine.headReceived(atLimit, earlyResponse: nil, buffered: 0, isDraining: false)) == "wait")
        var over = self.machine()
        _ = over.next(buffered: 50)
        let tooLarge = try head("POST / HTTP/1.1\r\nContent-Length: 401\r\n\r\n")
        #expect(
            describe(over.headReceived(tooLarge, earlyResponse: nil, buffered: 0, isDraining: false))
                == "respond(413, close: true)")
        #expect(describe(over.state) == "writing(close: true)")
        #expect(describe(over.replyWritten(completely: false)) == "armTimer(pauseReading: true)")
        #expect(describe(over.outputDrained()) == "close")
    }

    @Test func expectContinueIsAnsweredOnlyWhenTheBodyHasNotStarted() throws {
        let expecting = try head("POST / HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        var waiting = machine()
        _ = waiting.next(buffered: 60)
        #expect(
            describe(waiting.headReceived(expecting, earlyResponse: nil, buffered: 0, isDraining: false))
                == "sendContinue")
        #expect(describe(waiting.next(buffered: 0)) == "wait")
        #expect(describe(waiting.next(buffered: 5)) == "handle(POST /, 5)")
        var eager = machine()
        _ = eager.next(buffered: 63)
        #expect(describe(eager.headReceived(expecting, earlyResponse: nil, buffered: 3, isDraining: false)) == "wait")
        let noBody = try head("POST / HTTP/1.1\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n")
        var empty = machine()
        _ = empty.next(buffered: 60)
        #expect(
            describe(empty.headReceived(noBody, earlyResponse: nil, buffered: 0, isDraining: false))
                == "handle(POST /, 0)")
    }

    @Test func eofWithoutARequestInFlightCloses() throws {
        var idle = machine()
        #expect(describe(idle.peerSentEOF()) == "close")
        var partialHead = machine()
        _ = partialHead.next(buffered: 5)
        _ = partialHead.headIncomplete(buffered: 5)
        #expect(describe(partialHead.peerSentEOF()) == "close")
        var partialBody = machine()
        _ = partialBody.next(buffered: 50)
        _ = partialBody.headReceived(
            try head("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), earlyResponse: nil, buffered: 1,
            isDraining: false)
        #expect(describe(partialBody.peerSentEOF()) == "close")
    }

    @Test func eofWhileHandlingStopsReadingAndTheReplyCloses() throws {
        var machine = try handling()
        #expect(describe(machine.peerSentEOF()) == "pauseReading")
        #expect(machine.peerFinished)
        #expect(!machine.isReading)
        #expect(describe(machine.replyReady(ok, buffered: 0, isDraining: false)) == "respond(200, close: true)")
        #expect(describe(machine.replyWritten(completely: false)) == "armTimer(pauseReading: false)")
        #expect(describe(machine.outputDrained()) == "close")
    }

    @Test func afterEOFPipelinedRequestsAreAnsweredThenTheConnectionCloses() throws {
        var machine = try handling(buffered: 36)
        #expect(describe(machine.peerSentEOF()) == "pauseReading")
        // Two more requests wait in the buffer: this reply keeps the connection, the next one closes it.
        #expect(describe(machine.replyReady(ok, buffered: 36, isDraining: false)) == "respond(200, close: false)")
        #expect(describe(machine.replyWritten(completely: true)) == "armTimer(pauseReading: false)")
        #expect(describe(machine.next(buffered: 36)) == "parseHead(36)")
        #expect(
            describe(machine.headReceived(try head(get), earlyResponse: nil, buffered: 18, isDraining: false))
                == "handle(GET /, 0)")
        #expect(describe(machine.replyReady(ok, buffered: 18, isDraining: false)) == "respond(200, close: false)")
        #expect(describe(machine.replyWritten(completely: false)) == "armTimer(pauseReading: false)")
        #expect(describe(machine.outputDrained()) == "armTimer(pauseReading: false)")
        #expect(describe(machine.next(buffered: 18)) == "parseHead(18)")
        #expect(
            describe(machine.headReceived(try head(get), earlyResponse: nil, buffered: 0, isDraining: false))
                == "handle(GET /, 0)")
        #expect(describe(machine.replyReady(ok, buffered: 0, isDraining: false)) == "respond(200, close: true)")
        // Reading never resumes after the EOF.
        #expect(!machine.isReading)
    }

    @Test func afterEOFAPartialRequestLeftInTheBufferIsClosedOnceTheRestIsAnswered() throws {
        var machine = try handling(buffered: 5)
        _ = machine.peerSentEOF()
        #expect(describe(machine.replyReady(ok, buffered: 5, isDraining: false)) == "respond(200, close: false)")
        _ = machine.replyWritten(completely: true)
        #expect(describe(machine.next(buffered: 5)) == "parseHead(5)")
        #expect(describe(machine.headIncomplete(buffered: 5)) == "close")
    }

    @Test func eofWhileAReplyDrainsClosesAfterIt() throws {
        var machine = try handling()
        _ = machine.replyReady(ok, buffered: 0, isDraining: false)
        _ = machine.replyWritten(completely: false)
        #expect(describe(machine.peerSentEOF()) == "pauseReading")
        #expect(describe(machine.peerSentEOF()) == "wait")
        #expect(describe(machine.outputDrained()) == "armTimer(pauseReading: false)")
        #expect(describe(machine.next(buffered: 0)) == "close")
    }

    @Test func aFullInputBufferPausesReadingUntilRequestsDrainIt() throws {
        var machine = try handling(buffered: 480)
        #expect(describe(machine.next(buffered: 500)) == "pauseReading")
        #expect(describe(machine.next(buffered: 500)) == "wait")
        _ = machine.replyReady(ok, buffered: 500, isDraining: false)
        _ = machine.replyWritten(completely: true)
        #expect(describe(machine.next(buffered: 500)) == "parseHead(100)")
        #expect(
            describe(machine.headReceived(try head(get), earlyResponse: nil, buffered: 482, isDraining: false))
                == "handle(GET /, 0)")
        #expect(describe(machine.next(buffered: 482)) == "resumeReading")
        #expect(machine.isReading)
        #expect(describe(machine.next(buffered: 482)) == "wait")
    }

    @Test func readingNeverResumesOnAConnectionThatCloses() throws {
        var machine = machine()
        #expect(describe(machine.socketReadable(buffered: 500)) == "pauseReading")
        _ = machine.next(buffered: 500)
        #expect(describe(machine.headIncomplete(buffered: 500)) == "refuse(431 header_too_large)")
        #expect(describe(machine.replyWritten(completely: false)) == "armTimer(pauseReading: false)")
        #expect(describe(machine.next(buffered: 0)) == "wait")
        #expect(!machine.isReading)
    }

    @Test func timeouts() throws {
        var idle = machine()
        #expect(describe(idle.timedOut()) == "close")

        var partialHead = machine()
        _ = partialHead.next(buffered: 5)
        _ = partialHead.headIncomplete(buffered: 5)
        #expect(describe(partialHead.timedOut()) == "refuse(408 request_timeout)")
        #expect(describe(partialHead.state) == "writing(close: true)")
        #expect(describe(partialHead.replyWritten(completely: false)) == "armTimer(pauseReading: true)")
        // A client that does not read its 408 is cut off by the next timeout.
        #expect(describe(partialHead.timedOut()) == "close")

        var partialBody = machine()
        _ = partialBody.next(buffered: 50)
        _ = partialBody.headReceived(
            try head("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), earlyResponse: nil, buffered: 1,
            isDraining: false)
        #expect(describe(partialBody.timedOut()) == "refuse(408 request_timeout)")

        var handling = try handling()
        #expect(describe(handling.timedOut()) == "wait")

        var slowReader = try self.handling()
        _ = slowReader.replyReady(ok, buffered: 0, isDraining: false)
        _ = slowReader.replyWritten(completely: false)
        #expect(describe(slowReader.timedOut()) == "close")

        // After a reply, the next request's clock starts with no bytes seen: idle again, a silent close.
        var afterReply = try self.handling()
        _ = afterReply.replyReady(ok, buffered: 0, isDraining: false)
        _ = afterReply.replyWritten(completely: true)
        #expect(describe(afterReply.timedOut()) == "close")
    }

    @Test func aClosedConnectionIgnoresEverything() throws {
        var machine = try handling()
        let first = machine.closed()
        let second = machine.closed()
        #expect(first && !second)
        #expect(!machine.isReading)
        #expect(describe(machine.socketReadable(buffered: 0)) == "wait")
        #expect(describe(machine.next(buffered: 10)) == "wait")
        #expect(describe(machine.headIncomplete(buffered: 10)) == "wait")
        #expect(describe(machine.headRejected(.init(status: 400, code: "bad_request", message: ""))) == "wait")
        #expect(
            describe(machine.headReceived(try head(get), earlyResponse: nil, buffered: 0, isDraining: false))
                == "wait")
        #expect(describe(machine.peerSentEOF()) == "wait")
        #expect(describe(machine.replyWritten(completely: true)) == "wait")
        #expect(describe(machine.outputDrained()) == "wait")
        #expect(describe(machine.timedOut()) == "wait")
    }
}

private func describe(_ state: ConnectionStateMachine.State) -> String {
    switch state {
    case .readingHead(let sawBytes): "readingHead(sawBytes: \(sawBytes))"
    case .readingBody(let head): "readingBody(\(head.method) \(head.path))"
    case .handling(let keepAlive): "handling(keepAlive: \(keepAlive))"
    case .writing(let close): "writing(close: \(close))"
    case .closed: "closed"
    }
}

private func describe(_ action: ConnectionStateMachine.Action) -> String {
    switch action {
    case .read(let limit): "read(\(limit))"
    case .parseHead(let window): "parseHead(\(window))"
    case .handle(let head, let length): "handle(\(head.method) \(head.path), \(length))"
    case .respond(let response, let close): "respond(\(response.status), close: \(close))"
    case .refuse(let error): "refuse(\(error.status) \(error.code))"
    case .sendContinue: "sendContinue"
    case .armTimer(let pauseReading): "armTimer(pauseReading: \(pauseReading))"
    case .pauseReading: "pauseReading"
    case .resumeReading: "resumeReading"
    case .wait: "wait"
    case .dropReply: "dropReply"
    case .close: "close"
    }
}
