import Foundation
import Testing
import WooshhookTesting

/// `show` and `tail` run beside a writer that keeps cutting failed batches back (`ftruncate` on a full disk): a
/// reader that had mapped the pages being cut would die of SIGBUS. The journal is on a small tmpfs (needs root).
@Suite struct ReadersDuringDiskFullTests {
    private func event(_ id: String, padding: Int) -> SignedRequest {
        SignedRequest(
            body: """
                {"id":"\(id)","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","pad":"\
                \(String(repeating: "x", count: padding))"}}}
                """)
    }

    /// The real writer on a real full disk. Its cut-back window is microseconds wide, so this shows readers and
    /// writer side by side (and the journal whole afterwards) but seldom meets the window; the next test meets it
    /// on most runs of `show`.
    @Test func showAndTailSurviveTheWriterCuttingBack() throws {
        let daemon = try DaemonProcess(overrides: ["max_body_bytes": 4 * 1024 * 1024])
        defer { daemon.cleanUp() }
        let mountPoint = daemon.journalDirectory
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = try WooshhookTestShell.run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint])
        try #require(mounted.status == 0, "cannot mount a tmpfs (this test needs root): \(mounted.output)")
        defer { _ = try? WooshhookTestShell.run("umount", ["-l", mountPoint]) }
        try daemon.start()
        // A segment of about 2 MiB for the readers to scan, then about 1 MiB left free: each batch of 2 MiB
        // bodies writes into that space, fails and is cut back, over and over.
        for index in 0..<8 {
            #expect(try event("evt_big_\(index)", padding: 256 * 1024).send(port: daemon.port).status == 200)
        }
        let room = try #require(
            try FileManager.default.attributesOfFileSystem(forPath: mountPoint)[.systemFreeSize] as? Int)
        #expect(
            FileManager.default.createFile(
                atPath: "\(mountPoint)/filler", contents: Data(count: max(0, room - 1024 * 1024))))

        let port = daemon.port
        let stop = ConcurrentCollector<Bool>()
        let refused = ConcurrentCollector<Int>()
        let senders = DispatchGroup()
        for worker in 0..<3 {
            DispatchQueue.global().async(group: senders) {
                var index = 0
                while stop.values.isEmpty {
                    index += 1
                    if let response = try? event("evt_fail_\(worker)_\(index)", padding: 2 * 1024 * 1024).send(
                        port: port),
                        response.status == 503
                    {
                        refused.append(1)
                    }
                }
            }
        }
        defer {
            stop.append(true)
            senders.wait()
        }
        let journal = ["--journal", mountPoint]
        var endings: [Int32: Int] = [:]
        let deadline = Date().addingTimeInterval(8)
        while Date() < deadline {
            endings[try WooshhookBinary.run(["show", "evt_not_there"] + journal, timeout: 30).status, default: 0] += 1
            endings[
                try WooshhookBinary.run(["tail", "-n", "3", "--json"] + journal, timeout: 30).status, default: 0] += 1
        }
        stop.append(true)
        senders.wait()
        #expect(refused.values.count >= 3, "the writer did not keep failing: \(refused.values.count) refusals")
        // show: 1 (not found); tail: 0. A reader killed by SIGBUS ends with 7.
        #expect(Set(endings.keys).isSubset(of: [0, 1]), "reader endings (status: count): \(endings)")
        let verify = try WooshhookBinary.run(["journal", "verify"] + journal, timeout: 30)
        #expect(verify.status == 0, "\(verify.stdout)")
        try FileManager.default.removeItem(atPath: "\(mountPoint)/filler")
        #expect(try event("evt_after", padding: 10).send(port: daemon.port).status == 200)
        daemon.stop()
    }

    /// The same cut-back as the writer's on a failed batch (`pwrite` past the end, then `ftruncate` back), in a
    /// tight loop so that every reader meets it: on the full disk above the window is microseconds wide.
    @Test func showSurvivesTheNewestSegmentBeingCutBackUnderIt() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        try daemon.start()
        for index in 0..<8 {
            #expect(try event("evt_big_\(index)", padding: 128 * 1024).send(port: daemon.port).status == 200)
        }
        #expect(daemon.stop() == 0)
        let segment = "\(daemon.journalDirectory)/00000000000000000001.jsonl"
        let fd = open(segment, O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var info = stat()
        try #require(fstat(fd, &info) == 0)
        let size = info.st_size
        let stop = ConcurrentCollector<Bool>()
        let cutter = DispatchGroup()
        DispatchQueue.global().async(group: cutter) {
            let batch = [UInt8](repeating: UInt8(ascii: "x"), count: 1024 * 1024)
            while stop.values.isEmpty {
                _ = batch.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, size) }
                _ = ftruncate(fd, size)
            }
        }
        defer {
            stop.append(true)
            cutter.wait()
        }
        var endings: [Int32: Int] = [:]
        for _ in 0..<20 {
            let status = try WooshhookBinary.run(
                ["show", "evt_big_0", "--journal", daemon.journalDirectory], timeout: 30
            ).status
            endings[status, default: 0] += 1
        }
        stop.append(true)
        cutter.wait()
        #expect(endings == [0: 20], "show endings (status: count; SIGBUS is 7): \(endings)")
    }
}
