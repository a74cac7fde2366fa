import Foundation
import Testing
import WooshPay
import WooshhookTesting

/// Every row of the README's table in "What happens to a delivery", against the real binary.
@Suite struct HTTPTableTests {
    @Test func validNewEventIsJournaledBeforeThe200() throws {
        try withDaemon { daemon in
            let request = SignedRequest.event(id: "evt_new_1")
            let response = try request.send(port: daemon.port)
            #expect(response.status == 200)
            #expect(response.bodyText == #"{"received":true,"id":"evt_new_1"}"#)
            #expect(response.header("Content-Type") == "application/json")
            let lines = daemon.journalLines()
            #expect(lines.count == 1)
            #expect(record(lines[0])["event_id"] as? String == "evt_new_1")
        }
    }

    @Test func duplicateIsAnsweredWithoutASecondRecord() throws {
        try withDaemon { daemon in
            let request = SignedRequest.event(id: "evt_dup")
            let response3 = try request.send(port: daemon.port)
            #expect(response3.status == 200)
            let again = try request.send(port: daemon.port)
            #expect(again.status == 200)
            #expect(again.json?["duplicate"] as? Bool == true)
            #expect(again.json?["id"] as? String == "evt_dup")
            #expect(daemon.journalLines().count == 1)
        }
    }

    @Test func unknownTypeIsJournaled() throws {
        try withDaemon { daemon in
            let response = try SignedRequest.event(id: "evt_future", type: "settlement.report_ready").send(
                port: daemon.port)
            #expect(response.status == 200)
            #expect(record(daemon.journalLines()[0])["type"] as? String == "settlement.report_ready")
        }
    }

    @Test func otherPathIs404() throws {
        try withDaemon { daemon in
            var request = SignedRequest.event()
            request.path = "/webhooks/other"
            let response = try request.send(port: daemon.port)
            #expect(response.status == 404)
            #expect(response.errorCode == "not_found")
            #expect(daemon.journalLines().isEmpty)
        }
    }

    @Test func otherMethodIs405WithAllow() throws {
        try withDaemon { daemon in
            for method in ["GET", "PUT", "DELETE", "PATCH"] {
                var request = SignedRequest.event()
                request.method = method
                let response = try request.send(port: daemon.port)
                #expect(response.status == 405)
                #expect(response.header("Allow") == "POST")
                #expect(response.errorCode == "method_not_allowed")
            }
            #expect(daemon.journalLines().isEmpty)
        }
    }

    @Test func bodyOverLimitIs413WithoutReadingIt() throws {
        try withDaemon(["max_body_bytes": 1000]) { daemon in
            let connection = try RawHTTPConnection(port: daemon.port)
            // Announce 2 GB and send none of it: the answer must come from Content-Length alone.
            try connection.send(
                "POST /webhooks/wooshpay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Wooshpay-Signature: t=1,v1=00\r\nContent-Length: 2147483648\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 413)
            #expect(response.errorCode == "body_too_large")
            #expect(connection.isClosedByPeer())
            #expect(daemon.journalLines().isEmpty)
        }
    }

    @Test func nonJSONContentTypeIs415() throws {
        try withDaemon { daemon in
            var request = SignedRequest.event()
            request.contentType = "text/plain"
            let response = try request.send(port: daemon.port)
            #expect(response.status == 415)
            #expect(response.errorCode == "unsupported_media_type")
            for accepted in ["application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.wooshpay+json"] {
                var ok = SignedRequest.event()
                ok.contentType = accepted
                let response4 = try ok.send(port: daemon.port)
                #expect(response4.status == 200, "\(accepted)")
            }
            var none = SignedRequest.event()
            none.contentType = nil
            let response5 = try none.send(port: daemon.port)
            #expect(response5.status == 200)
        }
    }

    @Test func signatureUnderTheOtherHeaderNameIsAccepted() throws {
        try withDaemon { daemon in
            var request = SignedRequest.event(id: "evt_plain_signature_header")
            request.signatureHeaderName = "signature"
            let response = try request.send(port: daemon.port)
            #expect(response.status == 200, "without Wooshpay-Signature, a header named Signature is used")
            #expect(daemon.journalLines().count == 1)
        }
    }

    @Test(arguments: ["interval", "never"])
    func otherFsyncModesJournalAndNeverIsWarned(_ mode: String) throws {
        try withDaemon(["journal": ["directory": "journal", "fsync": mode, "fsync_interval_ms": 20]]) { daemon in
            for index in 0..<5 {
                let response = try SignedRequest.event(id: "evt_\(mode)_\(index)").send(port: daemon.port)
                #expect(response.status == 200)
            }
            #expect(daemon.journalLines().count == 5)
            let warned = daemon.logLines().contains { $0.contains("warning") && $0.contains("never") }
            #expect(warned == (mode == "never"), "fsync never is logged as a warning at start, and only then")
        }
    }

    @Test func signatureRejections() throws {
        try withDaemon { daemon in
            var missing = SignedRequest.event()
            missing.signatureHeaderName = ""
            let response6 = try missing.send(port: daemon.port)
            #expect(response6.errorCode == "signature_missing")

            var malformed = SignedRequest.event()
            malformed.signatureValue = "garbage"
            let malformedResponse = try malformed.send(port: daemon.port)
            #expect(malformedResponse.status == 401)
            #expect(malformedResponse.errorCode == "signature_malformed")

            var mismatch = SignedRequest.event()
            mismatch.secret = "whsec_wrong"
            let mismatchResponse = try mismatch.send(port: daemon.port)
            #expect(mismatchResponse.status == 401)
            #expect(mismatchResponse.errorCode == "signature_mismatch")
            #expect(!mismatchResponse.bodyText.contains(DaemonProcess.secret))

            var fallback = SignedRequest.event()
            fallback.signatureHeaderName = "signature"
            let response7 = try fallback.send(port: daemon.port)
            #expect(response7.status == 200)

            var lowercaseName = SignedRequest.event()
            lowercaseName.signatureHeaderName = "wooshpay-signature"
            let response8 = try lowercaseName.send(port: daemon.port)
            #expect(response8.status == 200)
            #expect(daemon.journalLines().count == 2)
            let log = daemon.logLines().joined(separator: "\n")
            #expect(log.contains("code=signature_mismatch"))
            #expect(!log.contains(DaemonProcess.secret))
        }
    }

    @Test func nonASCIISignatureHeaderIsMalformed() throws {
        try withDaemon { daemon in
            let request = SignedRequest.event()
            var bytes = request.bytes
            let marker = Array("Wooshpay-Signature: t=".utf8)
            let index = try #require(
                (0..<bytes.count - marker.count).first { Array(bytes[$0..<$0 + marker.count]) == marker })
            bytes.insert(contentsOf: [0xC3, 0xA9, 0xFF], at: index + marker.count)
            let connection = try RawHTTPConnection(port: daemon.port)
            try connection.send(bytes)
            let response = try connection.readResponse()
            #expect(response.status == 401)
            #expect(response.errorCode == "signature_malformed")
        }
    }

    @Test func staleAndFutureTimestampsAreQuarantined() throws {
        try withDaemon(["tolerance_seconds": 60]) { daemon in
            let now = Int(Date().timeIntervalSince1970)
            var stale = SignedRequest.event(id: "evt_stale")
            stale.timestamp = String(now - 3600)
            let staleResponse = try stale.send(port: daemon.port)
            #expect(staleResponse.status == 401)
            #expect(staleResponse.errorCode == "timestamp_out_of_tolerance")

            var future = SignedRequest.event(id: "evt_future_t")
            future.timestamp = String((now + 3600) * 1000) // milliseconds, an hour ahead
            let response9 = try future.send(port: daemon.port)
            #expect(response9.errorCode == "timestamp_out_of_tolerance")

            var milliseconds = SignedRequest.event(id: "evt_ms")
            milliseconds.timestamp = String(now * 1000)
            let response10 = try milliseconds.send(port: daemon.port)
            #expect(response10.status == 200)

            #expect(daemon.journalLines().map { record($0)["event_id"] as? String } == ["evt_ms"])
            let quarantined = daemon.journalLines(subdirectory: "quarantine").map(record)
            #expect(quarantined.map { $0["event_id"] as? String } == ["evt_stale", "evt_future_t"])
            #expect(quarantined.allSatisfy { $0["reason"] is String })
            #expect(quarantined.map { $0["seq"] as? Int } == [1, 2])
        }
    }

    @Test func invalidPayloads() throws {
        try withDaemon { daemon in
            let bodies: [[UInt8]] = [
                Array("not json".utf8),
                Array("[1,2]".utf8),
                Array(#"{"id":"evt_1","type":"x"}"#.utf8),
                Array(#"{"type":"x","data":{"object":{}}}"#.utf8),
                Array(#"{"id":"evt_1","data":{"object":{}}}"#.utf8),
                [0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], // {"id":"<invalid UTF-8>"}
                [],
            ]
            for body in bodies {
                let response = try SignedRequest(body: body).send(port: daemon.port)
                #expect(response.status == 400, "\(body)")
                #expect(response.errorCode == "invalid_payload")
            }
            #expect(daemon.journalLines().isEmpty)
        }
    }

    @Test func unauthenticatedGarbageIsNeverParsed() throws {
        try withDaemon { daemon in
            var request = SignedRequest(body: "not json at all")
            request.secret = "whsec_other"
            let response = try request.send(port: daemon.port)
            #expect(response.errorCode == "signature_mismatch")
        }
    }

    @Test func healthAndMetrics() throws {
        try withDaemon { daemon in
            _ = try SignedRequest.event().send(port: daemon.port)
            var bad = SignedRequest.event()
            bad.secret = "whsec_nope"
            _ = try bad.send(port: daemon.port)
            let connection = try RawHTTPConnection(port: daemon.port)
            try connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let health = try connection.readResponse()
            #expect(health.status == 200)
            #expect(health.json?["status"] as? String == "ok")
            try connection.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            let metrics = try connection.readResponse()
            #expect(metrics.status == 200)
            let text = metrics.bodyText
            #expect(text.contains(#"wooshhook_requests_total{outcome="accepted"} 1"#))
            #expect(text.contains(#"wooshhook_requests_total{outcome="signature_mismatch"} 1"#))
            #expect(text.contains(#"wooshhook_events_total{type="payment_intent.succeeded"} 1"#))
            #expect(text.contains("wooshhook_journal_fsync_seconds"))
            #expect(text.contains("wooshhook_request_duration_seconds"))
        }
    }

    @Test func forwardedForIsTrustedOnlyFromTrustedProxies() throws {
        try withDaemon { daemon in
            var request = SignedRequest.event(id: "evt_xff")
            request.extraHeaders = [("X-Forwarded-For", "198.51.100.7, 127.0.0.1")]
            let response11 = try request.send(port: daemon.port)
            #expect(response11.status == 200)
            var realIP = SignedRequest.event(id: "evt_realip")
            realIP.extraHeaders = [("X-Real-IP", "203.0.113.9")]
            let response12 = try realIP.send(port: daemon.port)
            #expect(response12.status == 200)
            let records = daemon.journalLines().map(record)
            #expect(records.map { $0["remote_addr"] as? String } == ["198.51.100.7", "203.0.113.9"])
        }
        try withDaemon(["trusted_proxies": [String]()]) { daemon in
            var request = SignedRequest.event(id: "evt_untrusted")
            request.extraHeaders = [("X-Forwarded-For", "198.51.100.7")]
            let response13 = try request.send(port: daemon.port)
            #expect(response13.status == 200)
            #expect(record(daemon.journalLines()[0])["remote_addr"] as? String == "127.0.0.1")
        }
    }
}
