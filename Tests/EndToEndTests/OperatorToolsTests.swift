import Foundation
import Testing
import WooshPay
import WooshhookTesting

/// `tail`, `show`, `replay` and `journal verify` (README, "Commands") on journals written by the real daemon.
@Suite(.serialized)
struct OperatorToolsTests {
    static func paymentEvent(
        _ id: String, type: String = "payment_intent.succeeded", amount: Int, currency: String, padding: Int = 0
    ) -> SignedRequest {
        let description = String(repeating: "p", count: padding)
        return SignedRequest(
            body: """
                {"id":"\(id)","object":"event","type":"\(type)","created":1732168214,"livemode":true,"data":{"object":\
                {"id":"pi_\(id)","object":"payment_intent","amount":\(amount),"currency":"\(currency)",\
                "status":"succeeded","description":"\(description)"}}}
                """)
    }

    private func accept(_ request: SignedRequest, _ daemon: DaemonProcess) throws {
        let response = try request.send(port: daemon.port)
        try #require(response.status == 200, "\(response.bodyText)")
    }

    private func wooshhook(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try WooshhookBinary.run(arguments)
    }

    @Test func tailFiltersAndFormatsAmountsByCurrencyExponent() throws {
        try withDaemon { daemon in
            try accept(Self.paymentEvent("evt_usd", amount: 4250, currency: "usd"), daemon)
            try accept(
                Self.paymentEvent("evt_jpy", type: "payment_intent.payment_failed", amount: 3800, currency: "JPY"),
                daemon)
            try accept(
                Self.paymentEvent("evt_kwd", type: "payment_intent.created", amount: 1500, currency: "KWD"), daemon)
            try accept(Self.paymentEvent("evt_idr", amount: 15_000_000, currency: "IDR"), daemon)
            let journal = ["--journal", daemon.journalDirectory]

            let all = try wooshhook(["tail"] + journal)
            #expect(all.status == 0, "\(all.stderr)")
            let lines = all.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4)
            #expect(lines[0].contains("42.50 USD") && lines[0].contains("evt_usd") && lines[0].contains("pi_evt_usd"))
            #expect(lines[1].contains("3800 JPY") && lines[1].contains("payment_intent.payment_failed"))
            #expect(lines[2].contains("1.500 KWD"))
            #expect(lines[3].contains("150000.00 IDR") && lines[3].contains("succeeded"))
            #expect(!all.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")

            let byType = try wooshhook(
                ["tail", "--type", "payment_intent.payment_failed", "--type", "payment_intent.created"] + journal)
            #expect(byType.stdout.split(separator: "\n").count == 2)
            #expect(byType.stdout.contains("evt_jpy") && byType.stdout.contains("evt_kwd"))

            let byID = try wooshhook(["tail", "--id", "evt_idr"] + journal)
            #expect(byID.stdout.split(separator: "\n").count == 1 && byID.stdout.contains("evt_idr"))

            let lastTwo = try wooshhook(["tail", "-n", "2"] + journal)
            #expect(
                lastTwo.stdout.split(separator: "\n").map { $0.contains("evt_kwd") || $0.contains("evt_idr") } == [
                    true, true,
                ])
            #expect(
                try #require(lastTwo.stdout.range(of: "evt_kwd")).lowerBound
                    < (try #require(lastTwo.stdout.range(of: "evt_idr"))).lowerBound)

            #expect(try wooshhook(["tail", "--since", "1h"] + journal).stdout.split(separator: "\n").count == 4)
            #expect(try wooshhook(["tail", "--since", "2999-01-01"] + journal).stdout.isEmpty)
            for bad in ["yesterday-ish", "99999999999999d", "-5m", "2026-02-30"] {
                let badSince = try wooshhook(["tail", "--since", bad] + journal)
                #expect(badSince.status == 64, "--since \(bad)")
                #expect(badSince.stderr.contains("--since"), "\(badSince.stderr)")
            }

            let json = try wooshhook(["tail", "--json", "-n", "4"] + journal)
            #expect(json.stdout.split(separator: "\n").map(String.init) == daemon.journalLines())
        }
    }

    @Test func tailFollowsNewRecordsAcrossSegmentRollsUntilSIGINT() throws {
        try withDaemon(["journal": ["directory": "journal", "fsync": "always", "segment_bytes": 4096]]) { daemon in
            let follower = try BackgroundCommand.wooshhook([
                "tail", "-f", "--json", "--journal", daemon.journalDirectory,
            ])
            let following = try waitUntilFollowing(follower) { index in
                let id = "evt_follow_ready_\(index)"
                _ = try SignedRequest.event(id: id).send(port: daemon.port)
                return id
            }
            try #require(following, "tail -f printed none of the markers")
            var ids: [String] = []
            for index in 1...8 {
                let id = "evt_follow_\(index)"
                try accept(Self.paymentEvent(id, amount: index, currency: "USD", padding: 1500), daemon)
                let line = try #require(follower.readLine(timeout: 10), "no line for \(id)")
                #expect(record(line)["event_id"] as? String == id)
                ids.append(id)
            }
            let segments = try FileManager.default.contentsOfDirectory(atPath: daemon.journalDirectory)
                .filter { $0.hasSuffix(".jsonl") }
            #expect(segments.count >= 3, "the journal rolled: \(segments)")
            #expect(follower.stop(signal: SIGINT) == 0)
        }
    }

    @Test func showPrintsMetadataAndThePrettyBody() throws {
        try withDaemon { daemon in
            try accept(Self.paymentEvent("evt_show", amount: 990, currency: "EUR"), daemon)
            let shown = try wooshhook(["show", "evt_show", "--journal", daemon.journalDirectory])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("seq:          1"))
            #expect(shown.stdout.contains("event_id:     evt_show"))
            #expect(shown.stdout.contains("\n    \"object\""), "the body is pretty-printed: \(shown.stdout)")
            let missing = try wooshhook(["show", "evt_nowhere", "--journal", daemon.journalDirectory])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("evt_nowhere"))
        }
    }

    @Test func damagedLinesAreSkippedWithAWarningAndReportedByVerify() throws {
        try withDaemon { daemon in
            for index in 1...3 {
                try accept(Self.paymentEvent("evt_d\(index)", amount: index, currency: "USD"), daemon)
            }
            _ = daemon.stop()
            let segment = try #require(
                try FileManager.default.contentsOfDirectory(atPath: daemon.journalDirectory).first {
                    $0.hasSuffix(".jsonl")
                })
            let path = "\(daemon.journalDirectory)/\(segment)"
            var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            lines[1] = "{\"seq\":2,\"this line\":\"was damaged"
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            let journal = ["--journal", daemon.journalDirectory]
            let tail = try wooshhook(["tail"] + journal)
            #expect(tail.status == 0)
            #expect(tail.stdout.contains("evt_d1") && tail.stdout.contains("evt_d3") && !tail.stdout.contains("evt_d2"))
            #expect(tail.stderr.contains("skipping damaged"), "\(tail.stderr)")
            #expect(try wooshhook(["show", "evt_d3"] + journal).status == 0)
            let verify = try wooshhook(["journal", "verify"] + journal)
            #expect(verify.status == 1)
            #expect(verify.stdout.contains("line 2"))
        }
    }

    @Test func readersNameAMissingJournal() throws {
        for command in [
            ["tail"], ["show", "evt_x"], ["journal", "verify"], ["replay", "--to", "http://127.0.0.1:9/"],
        ] {
            let result = try wooshhook(command + ["--journal", "/nonexistent/wooshhook-journal"])
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains("/nonexistent/wooshhook-journal"), "\(command): \(result.stderr)")
        }
    }
}
