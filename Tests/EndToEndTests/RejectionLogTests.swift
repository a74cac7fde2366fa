import Foundation
import Synchronization
import Testing
import WooshPay
import WooshhookTesting

/// The rejection log and `wooshhook rejections`, on the real binary.
@Suite(.serialized)
struct RejectionLogTests {
    /// The records of `rejections --json`, once at least `count` are there.
    static func rejections(_ daemon: DaemonProcess, atLeast count: Int, _ extra: [String] = []) throws -> [[String:
        Any]]
    {
        var lines: [String] = []
        _ = eventually {
            let result = try? WooshhookBinary.run(
                ["rejections", "--json", "--journal", daemon.journalDirectory] + extra)
            lines = (result?.stdout ?? "").split(separator: "\n").map(String.init)
            return lines.count >= count
        }
        return lines.map(record)
    }

    /// The log's records, which must be exactly the refusals `sent`, in order, each with its code and status.
    static func logged(_ daemon: DaemonProcess, _ sent: [(code: String, status: Int)]) throws -> [[String: Any]] {
        let records = try rejections(daemon, atLeast: sent.count, ["-n", "100"])
        try #require(records.count == sent.count, "\(records)")
        for (record, expected) in zip(records, sent) {
            #expect(record["code"] as? String == expected.code)
            #expect(record["status"] as? Int == expected.status)
        }
        return records
    }

    @Test func everyRejectionIsLoggedWithItsFieldsAndNothingSecret() throws {
        try withDaemon(["tolerance_seconds": 300]) { daemon in
            let marker = "BODY_MARKER_\(UInt64.random(in: 1...UInt64.max))"
            let body =
                #"{"id":"evt_rej","object":"event","type":"payment_intent.succeeded","data":{"object":{"note":"\#(marker)"}}}"#
            var sent: [(code: String, status: Int)] = []
            // Sends `body` (or `other`) signed, changed by `change`, and notes what must be logged; the request sent.
            @discardableResult
            func expect(
                _ code: String, _ status: Int, body other: String? = nil,
                _ change: (inout SignedRequest) -> Void = { _ in }
            ) throws -> SignedRequest {
                var request = SignedRequest(body: other ?? body)
                change(&request)
                let response = try request.send(port: daemon.port)
                #expect(response.status == status, "\(code): \(response.bodyText)")
                #expect(response.errorCode == code)
                sent.append((code, status))
                return request
            }
            try expect("not_found", 404) { $0.path = "/not/here" }
            try expect("method_not_allowed", 405) { $0.method = "PUT" }
            try expect("unsupported_media_type", 415) {
                $0.extraHeaders = [("X-Forwarded-For", "203.0.113.77")]
                $0.contentType = "text/plain"
            }
            try expect("signature_missing", 401) { $0.signatureHeaderName = "" }
            try expect("signature_malformed", 401) { $0.signatureValue = "v1=deadbeef" }
            try expect("signature_mismatch", 401) { $0.secret = "whsec_wrong_secret_value" }
            let staleT = String(Int(Date().timeIntervalSince1970) - 4000)
            try expect("timestamp_out_of_tolerance", 401) { $0.timestamp = staleT }
            let request = try expect("invalid_payload", 400, body: #"{"not":"an event","note":"\#(marker)"}"#)
            // Over max_body_bytes by its Content-Length: answered before the body is read.
            let big = try RawHTTPConnection(port: daemon.port)
            try big.send("POST /webhooks/wooshpay HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n")
            let bigResponse = try big.readResponse()
            #expect(bigResponse.status == 413)
            sent.append(("body_too_large", 413))

            let records = try Self.logged(daemon, sent)
            for (record, expected) in zip(records, sent) {
                let time = record["time"] as? String ?? ""
                #expect(time.count == 24 && time.hasSuffix("Z"), "time \(time)")
                for key in ["time", "status", "code", "remote_addr", "method", "path", "content_length"] {
                    #expect(record.keys.contains(key), "\(expected.code) lacks \(key)")
                }
            }
            let byCode = Dictionary(records.map { ($0["code"] as? String ?? "", $0) }) { first, _ in first }
            #expect(byCode["not_found"]?["path"] as? String == "/not/here")
            #expect(byCode["method_not_allowed"]?["method"] as? String == "PUT")
            #expect(byCode["unsupported_media_type"]?["remote_addr"] as? String == "203.0.113.77")
            #expect(byCode["signature_mismatch"]?["remote_addr"] as? String == "127.0.0.1")
            #expect(byCode["signature_mismatch"]?["content_length"] as? Int == body.utf8.count)
            #expect(byCode["body_too_large"]?["content_length"] as? Int == 5_000_000)
            // Authentic ones carry the event and t; the others do not.
            let stale = try #require(byCode["timestamp_out_of_tolerance"])
            #expect(stale["event_id"] as? String == "evt_rej")
            #expect(stale["type"] as? String == "payment_intent.succeeded")
            #expect(stale["signature_t"] as? String == staleT)
            let invalid = try #require(byCode["invalid_payload"])
            #expect(invalid["signature_t"] as? String == request.timestamp)
            #expect(invalid.keys.contains("event_id") && invalid["event_id"] is NSNull)
            #expect(byCode["signature_mismatch"]?.keys.contains("event_id") == false)
            #expect(byCode["signature_mismatch"]?.keys.contains("signature_t") == false)
            // Never a body, a signature or a secret.
            let everything = try String(
                contentsOfFile: "\(daemon.journalDirectory)/rejections/rejections.jsonl", encoding: .utf8)
            #expect(!everything.contains(marker))
            #expect(!everything.contains(DaemonProcess.secret))
            #expect(!everything.contains("whsec_wrong_secret_value"))
            #expect(!everything.contains("v1="))
            #expect(!everything.contains("deadbeef"))
        }
    }

    /// Requests the HTTP server refuses itself, before the receive path sees them, are logged too: there is no
    /// parsed head, so method and path are null and the client is the peer.
    @Test func theServersOwnRefusalsAreLoggedWithNullMethodAndPath() throws {
        try withDaemon(["read_timeout_seconds": 1]) { daemon in
            var sent: [(code: String, status: Int)] = []
            func refused(_ bytes: String, _ code: String, _ status: Int) throws {
                let connection = try RawHTTPConnection(port: daemon.port)
                if !bytes.isEmpty { try connection.send(bytes) }
                let response = try connection.readResponse()
                #expect(response.status == status, "\(code): \(response.bodyText)")
                #expect(response.errorCode == code)
                sent.append((code, status))
            }
            try refused("NOT A REQUEST LINE\r\n\r\n", "bad_request", 400)
            try refused(
                "POST /webhooks/wooshpay HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n",
                "header_too_large", 431)
            try refused(
                "POST /webhooks/wooshpay HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                "length_required", 411)
            try refused("POST /webhooks/wooshpay HTTP/2.0\r\nHost: x\r\n\r\n", "http_version_not_supported", 505)
            // Half a head, then silence past read_timeout_seconds.
            try refused("POST /webhooks/wooshpay HTTP/1.1\r\nHost:", "request_timeout", 408)

            for (record, expected) in zip(try Self.logged(daemon, sent), sent) {
                #expect(record["remote_addr"] as? String == "127.0.0.1")
                #expect(record["method"] is NSNull, "\(expected.code): \(record)")
                #expect(record["path"] is NSNull, "\(expected.code): \(record)")
            }
            let metrics = try RawHTTPConnection(port: daemon.port)
            try metrics.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try metrics.readResponse().bodyText.contains("outcome=\"bad_request\"} 1"))
        }
    }

    @Test func rejectionsFiltersByCodeAndSinceAndFollowsUntilSIGINT() throws {
        try withDaemon { daemon in
            for index in 0..<3 {
                var request = SignedRequest.event()
                request.path = "/missing/\(index)"
                _ = try request.send(port: daemon.port)
            }
            var wrong = SignedRequest.event()
            wrong.secret = "whsec_other"
            _ = try wrong.send(port: daemon.port)
            _ = try Self.rejections(daemon, atLeast: 4)
            let onlyMismatch = try Self.rejections(daemon, atLeast: 1, ["--code", "signature_mismatch"])
            #expect(onlyMismatch.count == 1)
            #expect(onlyMismatch.first?["code"] as? String == "signature_mismatch")
            #expect(
                try Self.rejections(daemon, atLeast: 2, ["-n", "2"]).map { $0["path"] as? String }
                    == ["/missing/2", "/webhooks/wooshpay"])
            let future = try WooshhookBinary.run(
                ["rejections", "--since", "2099-01-01", "--journal", daemon.journalDirectory])
            #expect(future.status == 0 && future.stdout.isEmpty)
            let human = try WooshhookBinary.run(["rejections", "--journal", daemon.journalDirectory])
            #expect(human.stdout.contains("404  not_found  127.0.0.1  POST /missing/0"))
            #expect(!human.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
            let bad = try WooshhookBinary.run(["rejections", "--code", "nope", "--journal", daemon.journalDirectory])
            #expect(bad.status == 64)

            let follow = try BackgroundCommand.wooshhook(
                ["rejections", "-f", "-n", "0", "--code", "not_found", "--journal", daemon.journalDirectory])
            let following = try waitUntilFollowing(follow) { index in
                var marker = SignedRequest.event()
                marker.path = "/follow-ready/\(index)"
                _ = try marker.send(port: daemon.port)
                return marker.path
            }
            try #require(following, "rejections -f printed none of the markers")
            var request = SignedRequest.event()
            request.path = "/followed"
            _ = try request.send(port: daemon.port)
            let line = follow.readLine(timeout: 10) ?? ""
            #expect(line.contains("not_found") && line.contains("/followed"), "\(line)")
            let started = Date()
            #expect(follow.stop(signal: SIGINT) == 0)
            #expect(Date().timeIntervalSince(started) < 2)
        }
    }

    @Test func aFloodOfBadRequestsLeavesTheLogWithinItsBound() throws {
        let maxBytes = 32_768
        try StatusPageTests.withStatusDaemon(["rejections": ["max_bytes": maxBytes]]) { daemon, statusPort in
            let perConnection = 12_500
            let connections = 4
            try FloodClient.flood(port: daemon.port, connections: connections, requests: perConnection)
            // Every rejection counted, sampled or not; the log itself stays small.
            let good = try SignedRequest.event(id: "evt_after_flood").send(port: daemon.port)
            #expect(good.status == 200)
            // What was dropped is summed up at most once a second: wait for a summary, not for a fixed time.
            var records: [[String: Any]] = []
            #expect(
                eventually {
                    records = (try? Self.rejections(daemon, atLeast: 10, ["-n", "100000"])) ?? []
                    return records.contains { $0["dropped"] != nil }
                }, "a flood leaves a record of what was dropped")
            let directory = "\(daemon.journalDirectory)/rejections"
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            var total = 0
            for name in names {
                let size =
                    (try FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")[.size] as? Int) ?? 0
                total += size
            }
            #expect(total <= maxBytes, "\(names) hold \(total) bytes")
            #expect(total > maxBytes / 4, "the log is in use: \(total) bytes")
            // The counts by code are exact although the log is sampled.
            var byCode: [String: Int] = [:]
            #expect(
                eventually {
                    let status = (try? StatusPageTests.get("/status.json", port: statusPort))?.json
                    byCode = (status?["rejections"] as? [String: Any])?["by_code"] as? [String: Int] ?? [:]
                    return byCode["not_found"] == connections * perConnection / 2
                        && byCode["signature_missing"] == connections * perConnection / 2
                }, "\(byCode)")
            let summaries = records.filter { $0["dropped"] != nil }
            for summary in summaries {
                #expect(summary["code"] as? String == "not_found" || summary["code"] as? String == "signature_missing")
                #expect((summary["dropped"] as? Int ?? 0) > 0)
            }
        }
    }
}

/// Sends many bad requests fast: pipelined over a few keep-alive connections, answers counted, not parsed one by one.
enum FloodClient {
    static func flood(port: Int, connections: Int, requests: Int) throws {
        let notFound = Array("GET /flood HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let unsigned = Array(
            "POST /webhooks/wooshpay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                .utf8)
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: connections) { index in
            do {
                let connection = try RawHTTPConnection(port: port)
                let batch = 500
                var sent = 0
                while sent < requests {
                    let count = min(batch, requests - sent)
                    var bytes: [UInt8] = []
                    for request in 0..<count { bytes += (sent + request + index) % 2 == 0 ? notFound : unsigned }
                    try connection.send(bytes)
                    try connection.expectResponses(count)
                    sent += count
                }
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        if let first = errors.withLock({ $0.first }) { throw TestFailure("flood: \(first)") }
    }
}
