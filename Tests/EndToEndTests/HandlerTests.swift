import Foundation
import Testing
import WooshPay
import WooshhookTesting

/// Handlers after the 200 (README, "Handlers") with the real daemon: exec, forward, retries, dead letters, slow
/// handlers, and resuming at the cursor after SIGKILL.
@Suite(.serialized)
struct HandlerTests {
    /// A folder the handler scripts write into.
    final class Outbox {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func file(_ name: String) -> String? { try? String(contentsOfFile: "\(path)/\(name)", encoding: .utf8) }
        func lines(_ name: String) -> [String] { file(name)?.split(separator: "\n").map(String.init) ?? [] }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static func exec(
        _ name: String, _ script: String, events: [String]? = nil, maxAttempts: Int = 3,
        timeout: Double = 10
    ) -> [String: Any] {
        var handler: [String: Any] = [
            "name": name, "kind": "exec", "command": ["/bin/sh", "-c", script], "max_attempts": maxAttempts,
            "timeout_seconds": timeout,
        ]
        if let events { handler["events"] = events }
        return handler
    }

    /// The handler's saved cursor, trimmed.
    static func cursor(_ name: String, _ daemon: DaemonProcess) -> String? {
        (try? String(contentsOfFile: "\(daemon.journalDirectory)/cursors/\(name)", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func accept(_ request: SignedRequest, _ daemon: DaemonProcess) throws {
        let response = try request.send(port: daemon.port)
        try #require(response.status == 200, "\(response.bodyText)")
    }

    @Test func execGetsTheExactBodyAndEnvironmentForItsEventsOnly() throws {
        let outbox = try Outbox()
        // Written under a temporary name and renamed, so the test never reads a half-written file.
        let script =
            "cat > \(outbox.path)/$WOOSHHOOK_EVENT_ID.body; env | grep ^WOOSHHOOK_EVENT_ | sort > \(outbox.path)/tmp; "
            + "mv \(outbox.path)/tmp \(outbox.path)/$WOOSHHOOK_EVENT_ID.env"
        try withDaemon(["handlers": [Self.exec("capture", script, events: ["payment_intent.succeeded"])]]) { daemon in
            let body =
                "{\r\n \"id\": \"evt_exec\", \"type\": \"payment_intent.succeeded\",\n \"data\": {\"object\": {\"n\": \"é\\\"\"}}}"
            try accept(SignedRequest(body: body), daemon)
            try accept(.event(id: "evt_other_type", type: "charge.refund.updated"), daemon)
            #expect(eventually { outbox.file("evt_exec.env") != nil })
            #expect(Array((outbox.file("evt_exec.body") ?? "").utf8) == Array(body.utf8))
            let environment = outbox.lines("evt_exec.env")
            #expect(environment.contains("WOOSHHOOK_EVENT_ID=evt_exec"))
            #expect(environment.contains("WOOSHHOOK_EVENT_TYPE=payment_intent.succeeded"))
            #expect(eventually { Self.cursor("capture", daemon) == "2" }, "the cursor passes the filtered event too")
            #expect(outbox.file("evt_other_type.body") == nil, "events filters the types")
        }
    }

    @Test func forwardSignsWithItsOwnSecret() throws {
        let server = try ReplayTests.CaptureServer(status: 200)
        let forward: [String: Any] = [
            "name": "downstream", "kind": "forward", "url": server.url, "secret": ReplayTests.replaySecret,
        ]
        try withDaemon(["handlers": [forward]]) { daemon in
            let request = SignedRequest.event(id: "evt_forwarded")
            try accept(request, daemon)
            #expect(eventually { server.requests.count == 1 })
            let captured = try #require(server.requests.first)
            #expect(captured["python_hmac_ok"] as? Bool == true)
            #expect(Data(base64Encoded: captured["body"] as? String ?? "").map { Array($0) } == request.body)
        }
    }

    @Test func aFailingHandlerIsRetriedThenSucceeds() throws {
        let outbox = try Outbox()
        let script =
            "echo try >> \(outbox.path)/attempts; [ $(wc -l < \(outbox.path)/attempts) -ge 3 ] && touch \(outbox.path)/done"
        try withDaemon(["handlers": [Self.exec("flaky", script, maxAttempts: 5)]]) { daemon in
            try accept(.event(id: "evt_flaky"), daemon)
            #expect(eventually { outbox.file("done") != nil })
            // The cursor is saved once the event is done: no attempt can follow it.
            #expect(eventually { Self.cursor("flaky", daemon) == "1" })
            #expect(outbox.lines("attempts").count == 3)
            #expect(!FileManager.default.fileExists(atPath: "\(daemon.journalDirectory)/deadletters/flaky.jsonl"))
        }
    }

    @Test func anAlwaysFailingEventIsDeadLetteredAfterMaxAttemptsAndTheNextGoesThrough() throws {
        let outbox = try Outbox()
        let script = "echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/attempts; [ \"$WOOSHHOOK_EVENT_ID\" != evt_poison ]"
        try withDaemon(["handlers": [Self.exec("picky", script, maxAttempts: 3)]]) { daemon in
            try accept(.event(id: "evt_poison"), daemon)
            try accept(.event(id: "evt_fine"), daemon)
            #expect(eventually { outbox.lines("attempts").contains("evt_fine") })
            #expect(outbox.lines("attempts").filter { $0 == "evt_poison" }.count == 3)
            let deadLetters = try String(
                contentsOfFile: "\(daemon.journalDirectory)/deadletters/picky.jsonl", encoding: .utf8)
            #expect(deadLetters.contains("\"event_id\":\"evt_poison\"") && deadLetters.contains("\"attempts\":3"))
            #expect(
                daemon.logLines().contains {
                    $0.contains("dead-lettered") && $0.contains("evt_poison") && $0.contains("picky")
                })
            let metrics = try RawHTTPConnection(port: daemon.port)
            try metrics.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            let text = try metrics.readResponse().bodyText
            #expect(text.contains(#"wooshhook_handler_dead_letters_total{handler="picky"} 1"#), "\(text)")
            #expect(text.contains("wooshhook_handler_lag_events"))
        }
    }

    @Test func aSlowHandlerNeverDelaysA200() throws {
        try withDaemon(["handlers": [Self.exec("slow", "sleep 5", timeout: 30)]]) { daemon in
            for index in 0..<5 {
                let started = Date()
                try accept(.event(id: "evt_slow_\(index)"), daemon)
                #expect(Date().timeIntervalSince(started) < 1, "request \(index) waited for the handler")
            }
        }
    }

    @Test func badCommandsAreReportedAndNeverBlock() throws {
        let outbox = try Outbox()
        let handlers: [[String: Any]] = [
            ["name": "missing", "kind": "exec", "command": ["/nonexistent/handler"], "max_attempts": 2],
            Self.exec("hangs", "sleep 60", maxAttempts: 1, timeout: 0.5),
            Self.exec(
                "chatty", "head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2; touch \(outbox.path)/chatty"),
        ]
        try withDaemon(["handlers": handlers]) { daemon in
            try accept(.event(id: "evt_bad_commands"), daemon)
            #expect(eventually { outbox.file("chatty") != nil })
            #expect(
                eventually(timeout: 15) {
                    let lines = daemon.logLines()
                    return lines.contains {
                        $0.contains("dead-lettered") && $0.contains("missing") && $0.contains("evt_bad_commands")
                    }
                        && lines.contains {
                            $0.contains("dead-lettered") && $0.contains("hangs") && $0.contains("killed")
                        }
                }, "\(daemon.log(tail: 20))")
            let response = try SignedRequest.event(id: "evt_still_fine").send(port: daemon.port)
            #expect(response.status == 200)
        }
    }

    @Test func afterSIGKILLEachHandlerResumesAtItsCursorWithNoEventMissed() throws {
        let outbox = try Outbox()
        let daemon = try DaemonProcess(overrides: [
            "handlers": [Self.exec("ledger", "echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/seen")]
        ])
        defer { daemon.cleanUp() }
        try daemon.start()
        for index in 0..<5 { try accept(.event(id: "evt_k\(index)"), daemon) }
        #expect(eventually { outbox.lines("seen").count == 5 })
        daemon.stop(signal: SIGKILL)
        try daemon.start()
        for index in 5..<10 { try accept(.event(id: "evt_k\(index)"), daemon) }
        #expect(eventually { Set(outbox.lines("seen")).count == 10 })
        daemon.stop()
        try daemon.start()
        // Events are handled in journal order: once one accepted now is seen, anything the restart would repeat is too.
        try accept(.event(id: "evt_k10"), daemon)
        #expect(eventually { outbox.lines("seen").contains("evt_k10") })
        #expect(outbox.lines("seen").count <= 12, "a clean restart repeats nothing: \(outbox.lines("seen"))")
        #expect(Set(outbox.lines("seen")) == Set((0...10).map { "evt_k\($0)" }))
        daemon.stop()
    }

    @Test func replayHandlersRunsThemAndQuarantineHandlersAdmitsThroughTheDaemon() throws {
        let outbox = try Outbox()
        let ledger = Self.exec("ledger", "echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/seen")
        try withDaemon(["handlers": [ledger]]) { daemon in
            try accept(.event(id: "evt_replayed"), daemon)
            #expect(eventually { outbox.lines("seen") == ["evt_replayed"] })
            let replayed = try WooshhookBinary.run(["replay", "--handlers", "--config", daemon.configPath])
            #expect(replayed.status == 0, "\(replayed.stderr)")
            #expect(replayed.stdout.contains("evt_replayed") && replayed.stdout.contains("ledger: ok"))
            #expect(replayed.stdout.split(separator: "\n").last == "replayed 1, failed 0")
            #expect(outbox.lines("seen") == ["evt_replayed", "evt_replayed"])

            var stale = SignedRequest.event(id: "evt_admitted")
            stale.timestamp = String(Int(Date().timeIntervalSince1970) - 7200)
            let refused = try stale.send(port: daemon.port)
            #expect(refused.status == 401)
            // The admitted event goes through the running daemon, found at the address it recorded in the journal
            // lock: the configuration says `port: 0`, which the daemon turned into a real port when it started.
            let admitted = try WooshhookBinary.run([
                "replay", "--quarantine", "--handlers", "--config", daemon.configPath,
            ])
            #expect(admitted.status == 0, "\(admitted.stdout) \(admitted.stderr)")
            #expect(admitted.stdout.contains("HTTP 200"))
            #expect(
                admitted.stderr.contains("held by PID \(daemon.pid ?? -1)"),
                "the daemon holds the journal: \(admitted.stderr)")
            #expect(daemon.journalLines().contains { $0.contains("\"event_id\":\"evt_admitted\"") })
            #expect(eventually { outbox.lines("seen").contains("evt_admitted") })
        }
    }
}
