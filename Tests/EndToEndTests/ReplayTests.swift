import Foundation
import Testing
import WooshPay
import WooshhookTesting

/// `replay --to` against a capture server that checks every signature with Python's `hmac`, independently of us.
@Suite(.serialized)
struct ReplayTests {
    static let replaySecret = "whsec_replay_target_secret"

    final class CaptureServer {
        let output: String
        let port: Int
        private let command: BackgroundCommand

        init(status: Int) throws {
            output =
                FileManager.default.temporaryDirectory.appendingPathComponent("capture-\(UUID().uuidString).jsonl").path
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Support/capture_server.py").path
            command = try BackgroundCommand(
                "/usr/bin/env", ["python3", script, output, ReplayTests.replaySecret, "\(status)"])
            port = try #require(command.readLine(timeout: 10).flatMap { Int($0) })
        }

        var requests: [[String: Any]] {
            guard let text = try? String(contentsOfFile: output, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").map { record(String($0)) }
        }

        var url: String { "http://127.0.0.1:\(port)/hook" }

        deinit {
            command.stop(signal: SIGKILL)
            try? FileManager.default.removeItem(atPath: output)
        }
    }

    private func journalOf(_ events: [SignedRequest], _ daemon: DaemonProcess) throws {
        for event in events {
            let response = try event.send(port: daemon.port)
            try #require(response.status == 200)
        }
    }

    private let bodies = [
        "{\"id\":\"evt_r1\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_1\"}}}",
        "{\r\n  \"id\": \"evt_r2\",\r\n  \"type\": \"charge.refund.updated\",\r\n  \"data\": {\"object\": {\"note\": \"Zürich \\\"q\\\" 東京\"}}\r\n}",
        "{\"id\":\"evt_r3\",\"type\":\"payment_intent.payment_failed\",\"data\":{\"object\":{}}}",
    ]

    @Test func replaySendsTheExactBodiesFreshlySigned() throws {
        try withDaemon { daemon in
            try journalOf(bodies.map { SignedRequest(body: $0) }, daemon)
            let server = try CaptureServer(status: 200)
            let result = try WooshhookBinary.run([
                "replay", "--to", server.url, "--secret", Self.replaySecret, "--journal", daemon.journalDirectory,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4)
            #expect(lines.first?.contains("evt_r1") == true && lines.first?.contains("200") == true)
            #expect(lines.last == "replayed 3, failed 0")
            #expect(!result.stderr.contains("\r"), "no progress bar when stderr is not a terminal")
            let requests = server.requests
            #expect(requests.count == 3)
            let verifier = Verifier(secrets: [Self.replaySecret], toleranceSeconds: 300)
            for (request, body) in zip(requests, bodies) {
                let received = try #require(Data(base64Encoded: request["body"] as? String ?? "")).map { $0 }
                #expect(received == Array(body.utf8))
                #expect(request["python_hmac_ok"] as? Bool == true)
                let headers = try #require(request["headers"] as? [String: String])
                #expect(headers["content-type"] == "application/json")
                let signature = try #require(headers["wooshpay-signature"])
                let header = try verifier.authenticate(body: received, signatureHeader: Array(signature.utf8))
                try verifier.checkFreshness(header, nowSeconds: Int64(Date().timeIntervalSince1970))
            }
        }
    }

    @Test func filtersRateAndDryRun() throws {
        try withDaemon { daemon in
            try journalOf(bodies.map { SignedRequest(body: $0) }, daemon)
            let journal = ["--journal", daemon.journalDirectory, "--secret", Self.replaySecret]
            let server = try CaptureServer(status: 200)

            let dry = try WooshhookBinary.run(["replay", "--to", server.url, "--dry-run"] + journal)
            #expect(dry.status == 0)
            #expect(dry.stdout.contains("evt_r2"))
            // The capture server records a request before it answers it, so whatever a replay sent is there when
            // the command has ended.
            #expect(server.requests.isEmpty, "--dry-run sends nothing")

            let typed = try WooshhookBinary.run(
                ["replay", "--to", server.url, "--type", "charge.refund.updated"] + journal)
            #expect(typed.stdout.split(separator: "\n").last == "replayed 1, failed 0")
            #expect(server.requests.count == 1, "the one of its type, and nothing late from --dry-run")
            let byID = try WooshhookBinary.run(
                ["replay", "--to", server.url, "--id", "evt_r1", "--id", "evt_r3"] + journal)
            #expect(byID.stdout.split(separator: "\n").last == "replayed 2, failed 0")
            #expect(
                try WooshhookBinary.run(["replay", "--to", server.url, "--until", "2000-01-01"] + journal)
                    .stdout.contains("replayed 0, failed 0"))

            let before = server.requests.count
            let paced = try WooshhookBinary.run(["replay", "--to", server.url, "--rate", "4"] + journal)
            #expect(paced.status == 0)
            let times = server.requests.dropFirst(before).compactMap { $0["at"] as? Double }
            #expect(times.count == 3)
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect(later - earlier >= 0.2, "--rate 4 spaces requests by 250 ms: \(later - earlier)")
            }
        }
    }

    @Test func quarantinedEventsAreTailedAndReplayedFromTheQuarantine() throws {
        try withDaemon { daemon in
            var stale = SignedRequest(body: bodies[0])
            stale.timestamp = String(Int(Date().timeIntervalSince1970) - 3600)
            let refused = try stale.send(port: daemon.port)
            #expect(refused.status == 401)
            let journal = ["--journal", daemon.journalDirectory]
            let tail = try WooshhookBinary.run(["tail", "--quarantine"] + journal)
            // 3600 s, or 3601 when a second ticks between signing and receiving.
            #expect(tail.stdout.contains("evt_r1") && tail.stdout.contains(/360[01] s old/), "\(tail.stdout)")
            #expect(try WooshhookBinary.run(["tail"] + journal).stdout.isEmpty, "not in the main journal")
            let server = try CaptureServer(status: 200)
            let replayed = try WooshhookBinary.run(
                ["replay", "--quarantine", "--to", server.url, "--secret", Self.replaySecret] + journal)
            #expect(replayed.stdout.split(separator: "\n").last == "replayed 1, failed 0")
            #expect(server.requests.first?["python_hmac_ok"] as? Bool == true)
        }
    }

    @Test func aFailingOrUnreachableTargetExits1() throws {
        try withDaemon { daemon in
            try journalOf([SignedRequest(body: bodies[0])], daemon)
            let journal = ["--journal", daemon.journalDirectory, "--secret", Self.replaySecret]
            let failing = try CaptureServer(status: 500)
            let refused = try WooshhookBinary.run(["replay", "--to", failing.url] + journal)
            #expect(refused.status == 1)
            #expect(refused.stdout.contains("HTTP 500"))
            #expect(refused.stdout.split(separator: "\n").last == "replayed 0, failed 1")

            let closedPort = try CaptureServer(status: 200).port // stopped at once by deinit: nobody listens there
            #expect(eventually { (try? RawHTTPConnection(port: closedPort)) == nil }, "port \(closedPort) still open")
            let unreachable = try WooshhookBinary.run(["replay", "--to", "http://127.0.0.1:\(closedPort)/"] + journal)
            #expect(unreachable.status == 1)
            #expect(unreachable.stdout.split(separator: "\n").last == "replayed 0, failed 1")
        }
    }
}
