import Glibc
import HTTPServer
import Journal
import Logging
import Synchronization
import SystemSupport
import WooshPay

/// Answers every HTTP request (README, "What happens to a delivery"). The webhook checks run in that table's order,
/// split only where the body arrives: `respondEarly` (path, method, size, content type — before a byte of body is read)
/// and `receive` (signature, freshness, JSON, then the durable append). Nothing unauthenticated is parsed as JSON.
final class ReceivePipeline: HTTPHandler {
    private let path: String
    private let maxBodyBytes: Int
    private let trustedProxies: TrustedProxies
    private let verifier: Mutex<Verifier>
    private let journal: JournalWriter
    private let quarantine: JournalWriter
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let onJournaled: @Sendable () -> Void
    private let shuttingDown = Atomic<Bool>(false)
    private let rejectionLog: RejectionLog?

    /// `onJournaled` runs after each durable append, on the thread that completed the batch (the journal writer's
    /// under `fsync: always`, the event loop that released it under `interval` and `never`): it wakes the handlers.
    init(
        configuration: Configuration, journal: JournalWriter, quarantine: JournalWriter, metrics: DaemonMetrics,
        logger: Logger, rejectionLog: RejectionLog? = nil, onJournaled: @escaping @Sendable () -> Void = {}
    ) {
        path = configuration.path
        maxBodyBytes = configuration.maxBodyBytes
        trustedProxies = configuration.trustedProxies
        verifier = Mutex(Verifier(secrets: configuration.secrets, toleranceSeconds: configuration.toleranceSeconds))
        self.journal = journal
        self.quarantine = quarantine
        self.metrics = metrics
        self.logger = logger
        self.onJournaled = onJournaled
        self.rejectionLog = rejectionLog
    }

    /// From now on every webhook request is answered 503 `shutting_down`.
    func beginShutdown() { shuttingDown.store(true, ordering: .relaxed) }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// Takes new secrets and tolerance (SIGHUP); requests in flight finish with the verifier they started with.
    func reload(secrets: [String], toleranceSeconds: Int) {
        verifier.withLock { $0 = Verifier(secrets: secrets, toleranceSeconds: toleranceSeconds) }
    }

    func respondEarly(to head: HTTPRequestHead) -> HTTPResponse? {
        if head.path != path {
            switch head.path {
            case "/healthz": return serviceEndpoint(head) { health() }
            case "/metrics": return serviceEndpoint(head) { metricsPage() }
            default: return reject(.notFound, "no webhook here; WooshPay should post to \(path)", head: head)
            }
        }
        if head.method != "POST" {
            var response = reject(.methodNotAllowed, "only POST is accepted on \(path)", head: head)
            response.headers.append(("Allow", "POST"))
            return response
        }
        if shuttingDown.load(ordering: .relaxed) {
            return reject(.shuttingDown, "wooshhook is shutting down; WooshPay will retry", head: head)
        }
        if let length = head.contentLength, length > maxBodyBytes {
            return reject(.bodyTooLarge, "body of \(length) bytes exceeds max_body_bytes (\(maxBodyBytes))", head: head)
        }
        if let contentType = head.headers.first("content-type"), !Self.isJSON(contentType) {
            let shown = String(decoding: contentType.prefix(100), as: UTF8.self)
            return reject(.unsupportedMediaType, "Content-Type \(shown) is not JSON", head: head)
        }
        return nil
    }

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let started = SystemClock.monotonicNanoseconds()
        let head = request.head
        let client = trustedProxies.clientAddress(
            peer: head.peerAddress, forwardedFor: head.headers.string("x-forwarded-for"),
            realIP: head.headers.string("x-real-ip"))
        let signatureHeader = head.headers.first("wooshpay-signature") ?? head.headers.first("signature")
        let currentVerifier = verifier.withLock { $0 }
        let signature: SignatureHeader
        do {
            signature = try currentVerifier.authenticate(body: request.body, signatureHeader: signatureHeader)
        } catch {
            return finish(responder, reject(error, client: client, head: head), started: started)
        }
        let received = SystemClock.nowMilliseconds()
        do {
            try currentVerifier.checkFreshness(signature, nowSeconds: received / 1000)
        } catch {
            return quarantineStale(
                request.body, signature: signature, rejection: error, client: client,
                receivedAt: received, responder: responder, started: started, head: head)
        }
        let event: EventEnvelope
        do {
            event = try EventEnvelope.decode(request.body)
        } catch {
            let authentic = RejectionEntry.Authentic(signatureT: signature.timestamp)
            return finish(responder, reject(error, client: client, head: head, authentic: authentic), started: started)
        }
        let record = PendingRecord(
            receivedAtMilliseconds: received, eventID: event.id, type: event.type, livemode: event.livemode,
            created: event.created, remoteAddr: client, signatureT: signature.timestamp, body: request.body)
        // Staged: released with the rest of this loop iteration's records in `eventLoopIterationEnded`.
        journal.stage(record) { [self] outcome in
            switch outcome {
            case .appended(let seq):
                onJournaled()
                metrics.countEvent(type: event.type)
                logger.debug(
                    "journaled", metadata: ["event_id": "\(event.id)", "type": "\(event.type)", "seq": "\(seq)"])
                finish(responder, Self.received(event.id, duplicate: false), started: started)
            case .duplicate:
                logger.info(
                    "duplicate delivery answered 200", metadata: ["event_id": "\(event.id)", "remote": "\(client)"])
                finish(responder, Self.received(event.id, duplicate: true), started: started)
            case .failed(let error):
                var reply = reject(
                    Rejection(.journalUnavailable, "the journal cannot be written; retry later"), client: client,
                    eventID: event.id, detail: "\(error)", head: head,
                    authentic: .init(signatureT: signature.timestamp, eventID: event.id, type: event.type))
                reply.response.headers.append(("Retry-After", "5"))
                finish(responder, reply, started: started)
            }
        }
    }

    /// With `fsync: interval` or `never` this writes the iteration's records (one `pwrite`, on this loop); with
    /// `always` it wakes the journal writer, which syncs them.
    func eventLoopIterationEnded() { journal.releaseStaged() }

    /// The HTTP server refused a request before it reached `respondEarly` (no head to read a client address or a
    /// path from): it still goes into the rejection log, with the peer as the client, and is counted.
    func requestRefused(status: Int, code: String, peerAddress: String) {
        guard let code = RejectionCode(rawValue: code) else { return }
        metrics.countRequest(outcome: code.rawValue, latencyNanoseconds: 0)
        rejectionLog?.record(
            RejectionEntry(
                timeMilliseconds: SystemClock.nowMilliseconds(), code: code, remoteAddr: peerAddress, method: nil,
                path: nil, contentLength: nil))
    }

    /// Authentic but stale: kept in the quarantine for `replay --quarantine`, answered 401 once that write is done.
    private func quarantineStale(
        _ body: [UInt8], signature: SignatureHeader, rejection: Rejection, client: String, receivedAt: Int64,
        responder: HTTPResponder, started: Int64, head: HTTPRequestHead
    ) {
        guard let event = try? EventEnvelope.decode(body) else {
            let authentic = RejectionEntry.Authentic(signatureT: signature.timestamp)
            return finish(
                responder,
                reject(
                    rejection, client: client, detail: "not kept: body is not an event",
                    head: head, authentic: authentic), started: started)
        }
        let record = PendingRecord(
            receivedAtMilliseconds: receivedAt, eventID: event.id, type: event.type, livemode: event.livemode,
            created: event.created, remoteAddr: client, signatureT: signature.timestamp, body: body,
            reason: rejection.message)
        quarantine.append(record) { [self] outcome in
            let detail: String
            switch outcome {
            case .appended(let seq):
                metrics.countQuarantined()
                detail = "kept in quarantine as seq \(seq)"
            case .duplicate: detail = "already in quarantine"
            case .failed(let error): detail = "quarantine write failed: \(error)"
            }
            let authentic = RejectionEntry.Authentic(
                signatureT: signature.timestamp, eventID: event.id, type: event.type)
            finish(
                responder,
                reject(
                    rejection, client: client, eventID: event.id, detail: detail, head: head,
                    authentic: authentic), started: started)
        }
    }

    private func finish(_ responder: HTTPResponder, _ reply: Reply, started: Int64) {
        // Counted before it is sent: a client that reads /metrics right after its answer must find it there.
        metrics.countRequest(outcome: reply.outcome, latencyNanoseconds: SystemClock.monotonicNanoseconds() - started)
        responder.send(reply.response)
    }

    /// A response and the outcome label it is counted under.
    private struct Reply {
        var response: HTTPResponse
        let outcome: String
    }

    private func reject(_ code: RejectionCode, _ message: String, head: HTTPRequestHead) -> HTTPResponse {
        let client = trustedProxies.clientAddress(
            peer: head.peerAddress, forwardedFor: head.headers.string("x-forwarded-for"),
            realIP: head.headers.string("x-real-ip"))
        let reply = reject(Rejection(code, message), client: client, path: head.path, method: head.method, head: head)
        metrics.countRequest(outcome: code.rawValue, latencyNanoseconds: 0)
        return reply.response
    }

    /// The one place a rejection becomes a log line and a JSON reply.
    private func reject(
        _ rejection: Rejection, client: String, eventID: String? = nil, detail: String? = nil, path: String? = nil,
        method: String? = nil, head: HTTPRequestHead? = nil, authentic: RejectionEntry.Authentic? = nil
    ) -> Reply {
        if let rejectionLog, let head {
            rejectionLog.record(
                RejectionEntry(
                    timeMilliseconds: SystemClock.nowMilliseconds(), code: rejection.code, remoteAddr: client,
                    method: head.method, path: head.path, contentLength: head.contentLength, authentic: authentic))
        }
        var metadata: Logger.Metadata = [
            "code": "\(rejection.code.rawValue)", "status": "\(rejection.code.httpStatus)", "remote": "\(client)",
        ]
        if let eventID { metadata["event_id"] = "\(eventID)" }
        if let detail { metadata["detail"] = "\(detail)" }
        if let path { metadata["path"] = "\(path.prefix(200))" }
        if let method { metadata["method"] = "\(method.prefix(20))" }
        let level: Logger.Level = rejection.code.httpStatus >= 500 ? .error : .warning
        logger.log(level: level, "rejected: \(rejection.message)", metadata: metadata)
        let body =
            "{\"error\":{\"code\":\"\(rejection.code.rawValue)\",\"message\":"
            + JSONEscaping.quoted(rejection.message) + "}}"
        let response = HTTPResponse(
            status: rejection.code.httpStatus, headers: Self.jsonHeaders, body: Array(body.utf8))
        return Reply(response: response, outcome: rejection.code.rawValue)
    }

    private static let jsonHeaders = [("Content-Type", "application/json")]

    /// Built as bytes: it is every accepted request's reply.
    private static func received(_ id: String, duplicate: Bool) -> Reply {
        var body: [UInt8] = []
        body.reserveCapacity(id.utf8.count + 48)
        body.append(contentsOf: "{\"received\":true,\"id\":".utf8)
        JSONEscaping.appendString(id.utf8, to: &body)
        body.append(contentsOf: (duplicate ? ",\"duplicate\":true}" : "}").utf8)
        let response = HTTPResponse(status: 200, headers: jsonHeaders, body: body)
        return Reply(
            response: response, outcome: duplicate ? DaemonMetrics.duplicateOutcome : DaemonMetrics.acceptedOutcome)
    }

    private func serviceEndpoint(_ head: HTTPRequestHead, _ page: () -> HTTPResponse) -> HTTPResponse? {
        guard head.method == "GET" || head.method == "HEAD" else {
            var response = HTTPResponse(
                status: 405, headers: Self.jsonHeaders,
                body: Array("{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"use GET\"}}".utf8))
            response.headers.append(("Allow", "GET, HEAD"))
            if let rejectionLog {
                let client = trustedProxies.clientAddress(
                    peer: head.peerAddress, forwardedFor: head.headers.string("x-forwarded-for"),
                    realIP: head.headers.string("x-real-ip"))
                rejectionLog.record(
                    RejectionEntry(
                        timeMilliseconds: SystemClock.nowMilliseconds(), code: .methodNotAllowed, remoteAddr: client,
                        method: head.method, path: head.path, contentLength: head.contentLength))
            }
            return response
        }
        var response = page()
        if head.method == "HEAD" { response.body = [] }
        return response
    }

    private func health() -> HTTPResponse {
        let writable = journal.isWritable && !shuttingDown.load(ordering: .relaxed)
        let status =
            shuttingDown.load(ordering: .relaxed) ? "shutting_down" : (journal.isWritable ? "ok" : "unavailable")
        let body =
            "{\"status\":\"\(status)\",\"journal\":{\"writable\":\(journal.isWritable),\"last_seq\":\(journal.lastSeq)}}"
        return HTTPResponse(status: writable ? 200 : 503, headers: Self.jsonHeaders, body: Array(body.utf8))
    }

    private func metricsPage() -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
            body: metrics.render())
    }

    /// `application/json` or `application/…+json`, any case, parameters (charset) ignored. Bytes, not Strings:
    /// this runs for every request.
    static func isJSON(_ value: [UInt8]) -> Bool {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var mediaType = value.prefix { $0 != UInt8(ascii: ";") }.drop(while: isSpace)[...]
        while let last = mediaType.last, isSpace(last) { mediaType = mediaType.dropLast() }
        let lowered = mediaType.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        let prefix = Array("application/".utf8)
        guard lowered.starts(with: prefix) else { return false }
        return lowered.count == prefix.count + 4 && lowered.suffix(4).elementsEqual("json".utf8)
            || lowered.count > prefix.count + 5 && lowered.suffix(5).elementsEqual("+json".utf8)
    }
}
