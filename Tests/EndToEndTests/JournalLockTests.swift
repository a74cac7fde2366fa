import Foundation
import Testing
import WooshhookTesting

/// One writer per journal (README, "The journal lock"): a second `serve` on a locked journal refuses at once and
/// changes nothing, the lock dies with its holder, readers never take it, and a lock file that cannot be made is a
/// start-up error, never a daemon running unlocked.
@Suite struct JournalLockTests {
    /// Every file under `directory` with its bytes, to show that something changed nothing.
    private func snapshot(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = "\(directory)/\(name)"
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            files[name] = isDirectory.boolValue ? Data() : FileManager.default.contents(atPath: path)
        }
        return files
    }

    @Test func aSecondServeOnALockedJournalRefusesAndTheFirstLosesNothing() throws {
        try withDaemon { first in
            for index in 0..<3 {
                #expect(try SignedRequest.event(id: "evt_lock_\(index)").send(port: first.port).status == 200)
            }
            let firstPID = try #require(first.pid)
            let before = snapshot(first.journalDirectory)
            #expect(before["wooshhook.lock"].map { String(decoding: $0, as: UTF8.self) } == "\(firstPID)\n")

            // Another configuration, another port, the same journal directory.
            let second = try DaemonProcess(overrides: ["journal": ["directory": first.journalDirectory]])
            defer { second.cleanUp() }
            let started = Date()
            try second.launch()
            let status = second.exitStatus(timeout: 10)
            #expect(status != nil && status != 0, "the second serve must exit non-zero: \(second.log(tail: 10))")
            #expect(Date().timeIntervalSince(started) < 5, "at once")
            let lines = second.logLines()
            #expect(lines.count == 1, "one line: \(lines)")
            #expect(lines.first?.contains(first.journalDirectory) == true, "names the directory: \(lines)")
            #expect(lines.first?.contains("PID \(firstPID)") == true, "names the holder: \(lines)")
            #expect(!lines.contains { $0.contains(" listening ") })
            #expect(snapshot(first.journalDirectory) == before, "the refused serve changed nothing")

            // The first one is untouched and loses nothing.
            for index in 3..<6 {
                #expect(try SignedRequest.event(id: "evt_lock_\(index)").send(port: first.port).status == 200)
            }
            let records = first.journalLines().map(record)
            #expect(records.compactMap { $0["seq"] as? Int } == Array(1...6))
            #expect(records.compactMap { $0["event_id"] as? String } == (0..<6).map { "evt_lock_\($0)" })

            // Readers never take the lock and are never blocked by it.
            let journal = ["--journal", first.journalDirectory]
            let verify = try WooshhookBinary.run(["journal", "verify"] + journal, timeout: 10)
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(!verify.stdout.contains("lock") && !verify.stderr.contains("lock"), "the lock file is no segment")
            #expect(try WooshhookBinary.run(["tail", "-n", "2"] + journal, timeout: 10).stdout.contains("evt_lock_5"))
            #expect(try WooshhookBinary.run(["show", "evt_lock_1"] + journal, timeout: 10).status == 0)
            let replay = try WooshhookBinary.run(
                ["replay", "--to", "http://127.0.0.1:9/", "--dry-run", "--secret", "whsec_x"] + journal, timeout: 10)
            #expect(replay.stdout.contains("evt_lock_5"))
            #expect(try SignedRequest.event(id: "evt_lock_6").send(port: first.port).status == 200)
        }
    }

    /// The lock dies with its holder, and an exec handler's command that outlives the daemon (its own session, so
    /// not killed with it) does not keep it: the file is opened close-on-exec.
    @Test func afterSIGKILLOfTheHolderANewServeStartsWithNoManualStep() throws {
        let outbox = try HandlerTests.Outbox()
        let sleeper = "\(outbox.path)/sleeper.pid"
        let detach = HandlerTests.exec("detach", "setsid sleep 30 </dev/null >/dev/null 2>&1 & echo $! > \(sleeper)")
        let daemon = try DaemonProcess(overrides: ["handlers": [detach]])
        defer {
            if let pid = outbox.file("sleeper.pid").flatMap({
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }) {
                kill(pid, SIGKILL)
            }
            daemon.cleanUp()
        }
        try daemon.start()
        #expect(try SignedRequest.event(id: "evt_before_kill").send(port: daemon.port).status == 200)
        #expect(eventually { outbox.file("sleeper.pid") != nil }, "the handler started its long-lived command")
        let killed = try #require(daemon.pid)
        daemon.stop(signal: SIGKILL)
        try daemon.start()
        let restarted = try #require(daemon.pid)
        #expect(restarted != killed)
        let lockFile = try String(contentsOfFile: "\(daemon.journalDirectory)/wooshhook.lock", encoding: .utf8)
        #expect(lockFile == "\(restarted)\n")
        #expect(try SignedRequest.event(id: "evt_after_kill").send(port: daemon.port).status == 200)
        #expect(daemon.journalLines().count == 2)
        daemon.stop()
    }

    /// A lock file that cannot be created (here: a read-only file system; root ignores modes) stops `serve` with an
    /// error naming it, before it listens. Needs root for the tmpfs, like the full-disk test.
    @Test func aLockFileThatCannotBeCreatedIsAStartUpErrorNamingIt() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let mountPoint = daemon.journalDirectory
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = try WooshhookTestShell.run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint])
        try #require(mounted.status == 0, "cannot mount a tmpfs (this test needs root): \(mounted.output)")
        defer { _ = try? WooshhookTestShell.run("umount", ["-l", mountPoint]) }
        for sub in ["quarantine", "cursors"] {
            try FileManager.default.createDirectory(atPath: "\(mountPoint)/\(sub)", withIntermediateDirectories: true)
        }
        let readOnly = try WooshhookTestShell.run("mount", ["-o", "remount,ro", mountPoint])
        try #require(readOnly.status == 0, "\(readOnly.output)")
        try daemon.launch()
        let status = daemon.exitStatus(timeout: 10)
        #expect(status != nil && status != 0, "\(daemon.log(tail: 10))")
        let log = daemon.log(tail: 10)
        #expect(log.contains("\(mountPoint)/wooshhook.lock") && log.contains("Read-only file system"), "\(log)")
        #expect(!log.contains(" listening "))
    }
}
