import Foundation
import Testing
import WooshhookTesting

/// `replay --quarantine --handlers` with no daemon running (it becomes the journal's writer for a while), and
/// SIGHUP reloads that never leave events unhandled.
@Suite(.serialized)
struct AdmissionAndReloadTests {
    private func accept(_ request: SignedRequest, _ daemon: DaemonProcess) throws {
        let response = try request.send(port: daemon.port)
        try #require(response.status == 200, "\(response.bodyText)")
    }

    private func quarantine(_ id: String, _ daemon: DaemonProcess) throws {
        var stale = SignedRequest.event(id: id)
        stale.timestamp = String(Int(Date().timeIntervalSince1970) - 7200)
        try #require(try stale.send(port: daemon.port).status == 401)
    }

    private func cursor(_ daemon: DaemonProcess, _ name: String) -> String? {
        (try? String(contentsOfFile: "\(daemon.journalDirectory)/cursors/\(name)", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends SIGHUP, first writing `handlers` into the configuration when given, and returns the log line that
    /// says how the reload went ("reloaded" or "reload refused"), or nil when none came.
    private func reload(_ daemon: DaemonProcess, handlers: [[String: Any]]? = nil) throws -> String? {
        if let handlers {
            var config = try #require(
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: daemon.configPath))) as? [String: Any])
            config["handlers"] = handlers
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: daemon.configPath))
        }
        let known = daemon.logLines().count
        kill(try #require(daemon.pid), SIGHUP)
        var outcome: String?
        _ = eventually {
            outcome = daemon.logLines().dropFirst(known).first {
                $0.contains("reloaded") || $0.contains("reload refused")
            }
            return outcome != nil
        }
        return outcome
    }

    /// An exec command that takes `seconds` per event and marks its run with a `busy` folder: a second run that
    /// starts while one is in progress writes its event id to `overlaps`.
    private func markingLedger(_ outbox: HandlerTests.Outbox, seconds: String) -> String {
        "mkdir \(outbox.path)/busy || echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/overlaps; sleep \(seconds); "
            + "echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/seen; rmdir \(outbox.path)/busy"
    }

    /// No run of `markingLedger` is in progress.
    private func idle(_ outbox: HandlerTests.Outbox) -> Bool {
        !FileManager.default.fileExists(atPath: "\(outbox.path)/busy")
    }

    @Test func admissionWithTheDaemonStoppedJournalsOnceAndRunsTheHandlersOnce() throws {
        let outbox = try HandlerTests.Outbox()
        // Slow on the admitted event, so that a `serve` started meanwhile meets the lock the command holds.
        let ledger = HandlerTests.exec(
            "ledger",
            "[ $WOOSHHOOK_EVENT_ID != evt_admitted ] || sleep 3; echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/seen")
        let daemon = try DaemonProcess(overrides: ["handlers": [ledger]])
        defer { daemon.cleanUp() }
        try daemon.start()
        try accept(.event(id: "evt_before"), daemon)
        try quarantine("evt_admitted", daemon)
        #expect(eventually { outbox.lines("seen") == ["evt_before"] })
        #expect(daemon.stop() == 0)

        let command = try BackgroundCommand.wooshhook([
            "replay", "--quarantine", "--handlers", "--config", daemon.configPath,
        ])
        let first = command.readLine(timeout: 20)
        #expect(
            first?.contains("evt_admitted") == true && first?.contains("journaled as seq 2") == true, "\(first ?? "")")
        // The command holds the journal until its handlers are done: a `serve` now refuses, naming it.
        let lockFile = "\(daemon.journalDirectory)/wooshhook.lock"
        #expect((try? String(contentsOfFile: lockFile, encoding: .utf8)) == "\(command.pid)\n")
        let known = daemon.logLines().count
        try daemon.launch()
        #expect(daemon.exitStatus(timeout: 10).map { $0 != 0 } == true, "serve must refuse while replay holds the lock")
        let refusal = daemon.logLines().dropFirst(known)
        #expect(refusal.count == 1 && refusal.first?.contains("PID \(command.pid)") == true, "\(refusal)")
        #expect(command.readLine(timeout: 20) == "replayed 1, failed 0")
        #expect(command.stop(signal: 0, timeout: 10) == 0, "it ends by itself")

        let admitted = daemon.journalLines().filter { $0.contains("\"event_id\":\"evt_admitted\"") }
        #expect(admitted.count == 1)
        #expect(admitted.first.map(record)?["seq"] as? Int == 2)
        #expect(outbox.lines("seen") == ["evt_before", "evt_admitted"], "the handler ran once")
        #expect(cursor(daemon, "ledger") == "2", "the cursor advanced")

        // Again: the journal's dedupe answers, nothing new is handled.
        let again = try WooshhookBinary.run(["replay", "--quarantine", "--handlers", "--config", daemon.configPath])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("already journaled"), "\(again.stdout)")

        // A later `serve` starts, does not run the handler on it again, and goes on with new events.
        try daemon.start()
        try accept(.event(id: "evt_after"), daemon)
        #expect(eventually { outbox.lines("seen").count >= 3 })
        // The runner goes in order: once its cursor is at evt_after (seq 3), a second run of evt_admitted is in.
        #expect(eventually { cursor(daemon, "ledger") == "3" }, "cursor \(cursor(daemon, "ledger") ?? "none")")
        #expect(outbox.lines("seen") == ["evt_before", "evt_admitted", "evt_after"])
        #expect(daemon.journalLines().count == 3)
        let verify = try WooshhookBinary.run(["journal", "verify", "--journal", daemon.journalDirectory])
        #expect(verify.status == 0, "\(verify.stdout)")
        daemon.stop()
    }

    @Test func aReloadWithAHandlerThatCannotStartKeepsTheOldHandlersWorking() throws {
        let outbox = try HandlerTests.Outbox()
        let ledger = HandlerTests.exec("ledger", "echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/seen")
        let newcomer = HandlerTests.exec("newcomer", "echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/newcomer")
        let daemon = try DaemonProcess(overrides: ["handlers": [ledger]])
        defer { daemon.cleanUp() }
        try daemon.start()
        try accept(.event(id: "evt_1"), daemon)
        #expect(eventually { outbox.lines("seen") == ["evt_1"] })

        // The newcomer cannot start: its cursor is not a number.
        try "garbage\n".write(toFile: "\(daemon.journalDirectory)/cursors/newcomer", atomically: true, encoding: .utf8)
        // Listed first, so that nothing of the new set could have started before it fails.
        let refused = try reload(daemon, handlers: [newcomer, ledger])
        #expect(
            refused?.contains("reload refused") == true && refused?.contains("newcomer") == true, "\(refused ?? "")")
        try accept(.event(id: "evt_2"), daemon)
        #expect(
            eventually { outbox.lines("seen") == ["evt_1", "evt_2"] },
            "the old handler still works: \(outbox.lines("seen"))")

        // Fixed: the same `ledger` carries on from its cursor in the new set, never run twice; the newcomer starts
        // at the journal's end.
        try FileManager.default.removeItem(atPath: "\(daemon.journalDirectory)/cursors/newcomer")
        let reloaded = try reload(daemon, handlers: [ledger, newcomer])
        #expect(reloaded?.contains("reloaded") == true, "\(reloaded ?? "")")
        for index in 3...6 { try accept(.event(id: "evt_\(index)"), daemon) }
        #expect(eventually { outbox.lines("newcomer") == (3...6).map { "evt_\($0)" } }, "\(outbox.lines("newcomer"))")
        #expect(eventually { outbox.lines("seen").count == 6 })
        // Once the cursor is at evt_6 the runner that carried on has finished them all: a rerun would be in.
        #expect(eventually { cursor(daemon, "ledger") == "6" }, "cursor \(cursor(daemon, "ledger") ?? "none")")
        #expect(outbox.lines("seen") == (1...6).map { "evt_\($0)" }, "each event once")
        #expect(daemon.stop() == 0)
    }

    /// A reload while the handler is in the middle of an event: the old runner finishes it (not killed), the new
    /// one takes over at the cursor after it, and the two never run at once.
    @Test func aHandlerInBothSetsIsTakenOverNeverRunTwiceAtOnce() throws {
        let outbox = try HandlerTests.Outbox()
        let script = markingLedger(outbox, seconds: "0.5")
        let daemon = try DaemonProcess(overrides: ["handlers": [HandlerTests.exec("ledger", script)]])
        defer { daemon.cleanUp() }
        try daemon.start()
        for index in 1...3 { try accept(.event(id: "evt_\(index)"), daemon) }
        #expect(eventually { FileManager.default.fileExists(atPath: "\(outbox.path)/busy") })
        #expect(try reload(daemon)?.contains("reloaded") == true)
        for index in 4...5 { try accept(.event(id: "evt_\(index)"), daemon) }
        #expect(eventually(timeout: 15) { outbox.lines("seen").count >= 5 })
        // Done when the cursor is at evt_5 and no run is in progress (`busy` is the script's own marker).
        #expect(eventually { cursor(daemon, "ledger") == "5" && idle(outbox) })
        #expect(outbox.lines("seen") == (1...5).map { "evt_\($0)" }, "each event once, in order")
        #expect(outbox.lines("overlaps").isEmpty, "two runners at once on: \(outbox.lines("overlaps"))")
        #expect(daemon.stop() == 0)
    }

    /// A handler removed by one reload and added back by the next while its old runner is still finishing an
    /// event: the returning runner waits for that retired one, so the event is not run twice and the cursor never
    /// goes back.
    @Test func aHandlerRemovedAndAddedBackWaitsForItsRetiredRunner() throws {
        let outbox = try HandlerTests.Outbox()
        let ledger = HandlerTests.exec("ledger", markingLedger(outbox, seconds: "1.5"))
        let daemon = try DaemonProcess(overrides: ["handlers": [ledger]])
        defer { daemon.cleanUp() }
        try daemon.start()

        try accept(.event(id: "evt_1"), daemon)
        #expect(eventually { FileManager.default.fileExists(atPath: "\(outbox.path)/busy") })
        #expect(try reload(daemon, handlers: [])?.contains("reloaded") == true)
        #expect(try reload(daemon, handlers: [ledger])?.contains("reloaded") == true)
        try accept(.event(id: "evt_2"), daemon)
        #expect(eventually(timeout: 15) { outbox.lines("seen").count >= 2 })
        // Done when the cursor is at evt_2 and no run is in progress: a retired runner's rerun would have shown.
        #expect(eventually { HandlerTests.cursor("ledger", daemon) == "2" && idle(outbox) })
        #expect(outbox.lines("seen") == ["evt_1", "evt_2"], "each event once, in order")
        #expect(outbox.lines("overlaps").isEmpty, "two runners at once on: \(outbox.lines("overlaps"))")
        let cursor = try String(contentsOfFile: "\(daemon.journalDirectory)/cursors/ledger", encoding: .utf8)
        #expect(cursor.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        #expect(daemon.stop() == 0)
    }
}
