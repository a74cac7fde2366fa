import Foundation
import Testing
import WooshhookTesting

/// A journal that cannot be written answers 503 `journal_unavailable`, keeps nothing partial, and recovers by itself
/// once space is freed (docs/ARCHITECTURE.md, "Full disk and I/O errors"). The journal lives on a 4 MiB tmpfs the test
/// mounts (CI runs as root).
@Suite struct DiskFullTests {
    /// `interval` too: there the event loop writes its batches itself, and must fail and recover the same way.
    @Test(arguments: ["always", "interval"])
    func fullDiskAnswers503AndRecoversWhenSpaceReturns(_ fsync: String) throws {
        // The rejection log reserves its whole bound on disk when it opens: 64 KiB here, so that it fits the
        // 4 MiB file system before the filler takes the rest.
        let daemon = try DaemonProcess(overrides: [
            "journal": ["directory": "journal", "fsync": fsync], "rejections": ["max_bytes": 65_536],
        ])
        defer {
            daemon.cleanUp()
        }
        let mountPoint = daemon.journalDirectory
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = try WooshhookTestShell.run("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint])
        try #require(mounted.status == 0, "cannot mount a tmpfs (this test needs root): \(mounted.output)")
        defer { _ = try? WooshhookTestShell.run("umount", ["-l", mountPoint]) }
        try daemon.start()
        // Fill the file system, leaving room for a few records only.
        let filler = "\(mountPoint)/filler"
        var space = statvfs()
        try #require(statvfs(mountPoint, &space) == 0)
        let fillerSize = Int(space.f_bavail) * Int(space.f_frsize) - 12 * 1024
        try #require(FileManager.default.createFile(atPath: filler, contents: Data(count: fillerSize)))

        var statuses: [Int] = []
        var unavailable: HTTPTestResponse?
        for index in 0..<60 {
            let response = try SignedRequest.event(id: "evt_full_\(index)").send(port: daemon.port)
            statuses.append(response.status)
            if response.status == 503 {
                unavailable = response
                break
            }
        }
        let refused = try #require(unavailable, "never ran out of space: \(statuses)")
        #expect(refused.errorCode == "journal_unavailable")
        #expect(refused.header("Retry-After") != nil)
        let acceptedCount = statuses.filter { $0 == 200 }.count
        #expect(acceptedCount >= 1)

        let health = try RawHTTPConnection(port: daemon.port)
        try health.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try health.readResponse().status == 503)

        // Nothing partial: every line in the journal is a whole record, one per acknowledged event.
        #expect(daemon.journalLines().count == acceptedCount)
        let verify = try WooshhookBinary.run(["journal", "verify", "--journal", daemon.journalDirectory])
        #expect(verify.status == 0, "\(verify.stdout)")

        // The refusal is in the rejection log, with its code and the event it refused, while the disk is still
        // full: the log is on the same file system, and its line goes into the space it reserved at start.
        let refusedID = "evt_full_\(statuses.count - 1)"
        var logged: [[String: Any]] = []
        let found = eventually(timeout: 5) {
            let result = try? WooshhookBinary.run(["rejections", "--json", "--journal", daemon.journalDirectory])
            logged = (result?.stdout ?? "").split(separator: "\n").map { record(String($0)) }
            return logged.contains { $0["event_id"] as? String == refusedID }
        }
        let daemonSaid = daemon.logLines().filter { $0.contains("reject") }.suffix(5)
        #expect(found, "\(refusedID) not in the rejection log: \(logged); the daemon's log: \(daemonSaid)")
        let entry = logged.first { $0["event_id"] as? String == refusedID }
        #expect(entry?["code"] as? String == "journal_unavailable")
        #expect(entry?["status"] as? Int == 503)

        try FileManager.default.removeItem(atPath: filler)
        let retried = try SignedRequest.event(id: "evt_full_after").send(port: daemon.port)
        #expect(retried.status == 200)
        try health.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try health.readResponse().status == 200)
        let seqs = daemon.journalLines().map { record($0)["seq"] as? Int }
        #expect(seqs == Array(1...(acceptedCount + 1)).map { Optional($0) })

        daemon.stop()
    }
}
