import Foundation
import Testing
import WooshhookTesting

/// The journal (README, "The journal") from the outside: exact bodies, digests, seq, dedupe across restarts,
/// concurrency.
@Suite struct JournalingTests {
    static let bodies: [(String, String)] = [
        (
            "crlf",
            "{\r\n  \"id\": \"evt_crlf\",\r\n  \"type\": \"payment_intent.succeeded\",\r\n  \"data\": {\"object\": {\"id\": \"pi_1\"}}\r\n}\r\n"
        ),
        (
            "pretty",
            "{\n    \"id\" : \"evt_pretty\",\n\t\"type\" : \"charge.refund.updated\",\n    \"data\" : { \"object\" : { \"id\" : \"re_1\", \"amount\" : \"1500\" } }\n}"
        ),
        (
            "non-ascii",
            #"{"id":"evt_utf8","type":"payment_intent.created","data":{"object":{"description":"Café — 東京 🚀","currency":"jpy"}}}"#
        ),
        (
            "escapes",
            #"{"id":"evt_esc","type":"x.y","data":{"object":{"note":"quote \" backslash \\ slash \/ tab \t nl \n u \u00e9 \u0000"}}}"#
        ),
    ]

    @Test func bodiesAreJournaledByteForByteWithTheirDigest() throws {
        try withDaemon { daemon in
            for (name, body) in Self.bodies {
                let response = try SignedRequest(body: body).send(port: daemon.port)
                #expect(response.status == 200, "\(name): \(response.bodyText)")
            }
            let records = daemon.journalLines().map(record)
            let digests = try PythonOracle.sha256(Self.bodies.map { Array($0.1.utf8) })
            #expect(records.count == Self.bodies.count)
            for (index, (name, body)) in Self.bodies.enumerated() {
                let stored = try #require(records[index]["body"] as? String)
                #expect(Array(stored.utf8) == Array(body.utf8), "\(name)")
                #expect(records[index]["sha256"] as? String == digests[index], "\(name)")
                #expect(records[index]["seq"] as? Int == index + 1)
            }
        }
    }

    @Test func recordHasEveryField() throws {
        try withDaemon { daemon in
            var request = SignedRequest(
                body: #"{"id":"evt_fields","type":"payment_intent.succeeded","data":{"object":{}}}"#)
            request.timestamp = String(Int(Date().timeIntervalSince1970))
            let response1 = try request.send(port: daemon.port)
            #expect(response1.status == 200)
            let line = try #require(daemon.journalLines().first)
            let fields = record(line)
            for key in [
                "seq", "received_at", "event_id", "type", "livemode", "created", "remote_addr", "signature_t",
                "sha256", "body",
            ] {
                #expect(fields.keys.contains(key), "\(key)")
            }
            #expect(fields["livemode"] is NSNull)
            #expect(fields["created"] is NSNull)
            #expect(fields["signature_t"] as? String == request.timestamp)
            #expect(fields["remote_addr"] as? String == "127.0.0.1")
            let receivedAt = try #require(fields["received_at"] as? String)
            #expect(receivedAt.count == 24 && receivedAt.hasSuffix("Z"))
        }
    }

    @Test func duplicateIsRecognisedAfterARestart() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        try daemon.start()
        let request = SignedRequest.event(id: "evt_restart")
        let response2 = try request.send(port: daemon.port)
        #expect(response2.status == 200)
        #expect(daemon.stop() == 0)
        try daemon.start()
        let again = try request.send(port: daemon.port)
        #expect(again.status == 200)
        #expect(again.json?["duplicate"] as? Bool == true)
        #expect(try SignedRequest.event(id: "evt_after").send(port: daemon.port).status == 200)
        let seqs = daemon.journalLines().map { record($0)["seq"] as? Int }
        #expect(seqs == [1, 2])
    }

    @Test func fiftyConcurrentEventsGetContiguousSeq() throws {
        try withDaemon { daemon in
            let port = daemon.port
            let statuses = ConcurrentCollector<Int>()
            DispatchQueue.concurrentPerform(iterations: 50) { index in
                let status = (try? SignedRequest.event(id: "evt_conc_\(index)").send(port: port).status) ?? -1
                statuses.append(status)
            }
            #expect(statuses.values.allSatisfy { $0 == 200 })
            let records = daemon.journalLines().map(record)
            #expect(records.count == 50)
            #expect(records.compactMap { $0["seq"] as? Int } == Array(1...50))
            #expect(Set(records.compactMap { $0["event_id"] as? String }).count == 50)
        }
    }

    @Test func keepAliveCarriesSeveralEvents() throws {
        try withDaemon { daemon in
            let connection = try RawHTTPConnection(port: daemon.port)
            for index in 0..<5 {
                try connection.send(SignedRequest.event(id: "evt_ka_\(index)").bytes)
                #expect(try connection.readResponse().status == 200)
            }
            #expect(daemon.journalLines().count == 5)
        }
    }

    @Test func stalledHeadersDoNotBlockAnotherClient() throws {
        try withDaemon(["read_timeout_seconds": 2, "workers": 1]) { daemon in
            let stalled = try RawHTTPConnection(port: daemon.port)
            try stalled.send("POST /webhooks/wooshpay HTTP/1.1\r\nHost: x\r\nContent-Le")
            let started = Date()
            #expect(try SignedRequest.event().send(port: daemon.port).status == 200)
            #expect(Date().timeIntervalSince(started) < 1.5)
            // The stalled client is cut off after read_timeout_seconds.
            #expect(eventually(timeout: 6) { stalled.isClosedByPeer() })
        }
    }
}

/// Collects values from concurrent closures.
final class ConcurrentCollector<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value] = []
    func append(_ value: Value) { lock.withLock { storage.append(value) } }
    var values: [Value] { lock.withLock { storage } }
}
