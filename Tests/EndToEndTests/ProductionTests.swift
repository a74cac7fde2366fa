import Foundation
import Testing
import WooshhookTesting

/// systemd's notify protocol, socket activation, the unit's hardening, signals and reload (README, "Deploy").
@Suite(.serialized)
struct ProductionTests {
    @Test func notifySocketHearsReadyOnlyOnceThePortAcceptsThenReloadingWatchdogAndStopping() throws {
        let port = try WooshhookTestShell.freePort()
        let daemon = try DaemonProcess(overrides: ["listen": ["host": "127.0.0.1", "port": port]])
        defer { daemon.cleanUp() }
        let notify = try NotifySocket()
        try daemon.launch(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
        let ready = try #require(notify.waitFor("READY=1", timeout: 20), "no READY=1: \(daemon.log(tail: 10))")
        // READY=1 promises a listening socket: a connection made right after it must succeed.
        #expect((try? RawHTTPConnection(port: port)) != nil)
        #expect(ready.last?.contains("STATUS=") == true)
        #expect(notify.waitFor("WATCHDOG=1", timeout: 2) != nil)

        kill(try #require(daemon.pid), SIGHUP)
        let reload = try #require(notify.waitFor("RELOADING=1", timeout: 10))
        #expect(reload.last?.contains("MONOTONIC_USEC=") == true)
        #expect(notify.waitFor("READY=1", timeout: 10) != nil)

        kill(try #require(daemon.pid), SIGTERM)
        #expect(notify.waitFor("STOPPING=1", timeout: 10) != nil)
        #expect(daemon.exitStatus() == 0)
    }

    @Test func socketActivationHandsTheDaemonItsSocket() throws {
        let activationPort = try WooshhookTestShell.freePort()
        let unusedPort = try WooshhookTestShell.freePort()
        let daemon = try DaemonProcess(overrides: ["listen": ["host": "127.0.0.1", "port": unusedPort]])
        defer { daemon.cleanUp() }
        try daemon.launch(wrapper: ["systemd-socket-activate", "-l", "127.0.0.1:\(activationPort)"])
        var response: HTTPTestResponse?
        let deadline = Date().addingTimeInterval(20)
        while response == nil && Date() < deadline {
            response = try? SignedRequest.event(id: "evt_activated").send(port: activationPort)
            if response == nil { usleep(50_000) } // the poll interval of a wait with a deadline
        }
        #expect(response?.status == 200, "\(daemon.log(tail: 10))")
        #expect(daemon.journalLines().count == 1)
        #expect((try? RawHTTPConnection(port: unusedPort)) == nil, "the configured port stays unused")
        #expect(daemon.stop() == 0)
    }

    @Test func anInheritedFdThatIsNotAListeningSocketExits78() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let binary = try WooshhookBinary.path()
        let script = "exec 3</dev/null; LISTEN_FDS=1 LISTEN_PID=$$ exec \"$0\" serve --config \"$1\""
        let result = try WooshhookTestShell.run("sh", ["-c", script, binary, daemon.configPath])
        #expect(result.status == 78, "\(result.output)")
        #expect(result.output.contains("socket"), "\(result.output)")
    }

    @Test func unitHardeningIsRated2OrLower() throws {
        let unit = WooshhookTestShell.repositoryRoot.appendingPathComponent("systemd/wooshhook.service").path
        let result = try WooshhookTestShell.run("systemd-analyze", ["security", "--offline=true", unit])
        let line = try #require(
            result.output.split(separator: "\n").first { $0.contains("Overall exposure level") },
            "\(result.output.suffix(500))")
        let score = try #require(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) })
        #expect(score <= 2.0, "\(line)")
    }

    @Test func reloadWithABrokenFileKeepsServingTheOldConfiguration() throws {
        try withDaemon { daemon in
            let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
            try "{\"secrets\": [\"whsec_x\"], \"no_such_key\": 1}".write(
                toFile: daemon.configPath, atomically: true, encoding: .utf8)
            let pid = try #require(daemon.pid)
            for _ in 0..<20 { kill(pid, SIGHUP) }
            #expect(
                eventually {
                    daemon.logLines().contains { $0.contains("reload refused") && $0.contains("no_such_key") }
                })
            let response = try SignedRequest.event(id: "evt_after_bad_reload").send(port: daemon.port)
            #expect(response.status == 200)

            var rotated = original
            rotated = rotated.replacingOccurrences(of: DaemonProcess.secret, with: "whsec_rotated_secret")
                .replacingOccurrences(of: "\"debug\"", with: "\"error\"")
            try #require(rotated.contains("\"error\""))
            try rotated.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
            kill(pid, SIGHUP)
            #expect(eventually { daemon.logLines().contains { $0.contains("reloaded") } })
            var fresh = SignedRequest.event(id: "evt_new_secret")
            fresh.secret = "whsec_rotated_secret"
            let accepted = try fresh.send(port: daemon.port)
            #expect(accepted.status == 200)
            let linesBefore = daemon.logLines().count
            let old = try SignedRequest.event(id: "evt_old_secret").send(port: daemon.port)
            #expect(old.status == 401)
            // No wait: the rejection's warning is written (one write(2)) before its reply is made.
            #expect(
                !daemon.logLines().dropFirst(linesBefore).contains { $0.contains("signature_mismatch") },
                "log_level error from the reload hides the rejection's warning")
        }
    }

    @Test func sigtermDuringABurstAnswersOnly200Or503AndLosesNothing() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        try daemon.start()
        let port = daemon.port
        let accepted = Accepted()
        let group = DispatchGroup()
        for worker in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for index in 0..<400 {
                    let id = "evt_burst_\(worker)_\(index)"
                    guard let response = try? SignedRequest.event(id: id).send(port: port) else { return }
                    accepted.record(id: id, status: response.status)
                }
            }
        }
        // SIGTERM in the middle of the burst: once it has had some answers, while the workers keep sending.
        #expect(eventually { accepted.ids.count >= 50 }, "\(daemon.log(tail: 5))")
        #expect(daemon.stop(signal: SIGTERM) == 0)
        // Every request taken in was answered during the drain, not abandoned when the grace period ran out.
        #expect(!daemon.logLines().contains { $0.contains("unanswered") }, "\(daemon.log(tail: 5))")
        group.wait()
        #expect(accepted.statuses.isSubset(of: [200, 503]), "\(accepted.statuses)")
        #expect(!accepted.ids.isEmpty)
        try daemon.start()
        let journaled = Set(daemon.journalLines().compactMap { record($0)["event_id"] as? String })
        #expect(
            accepted.ids.isSubset(of: journaled),
            "\(accepted.ids.subtracting(journaled).count) acknowledged events missing")
        daemon.stop()
    }
}

final class Accepted: @unchecked Sendable {
    private let lock = NSLock()
    private var okIDs: Set<String> = []
    private var seen: Set<Int> = []

    func record(id: String, status: Int) {
        lock.withLock {
            seen.insert(status)
            if status == 200 { okIDs.insert(id) }
        }
    }

    var ids: Set<String> { lock.withLock { okIDs } }
    var statuses: Set<Int> { lock.withLock { seen } }
}
