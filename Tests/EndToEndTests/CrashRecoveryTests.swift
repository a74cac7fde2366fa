import Foundation
import Testing
import WooshhookTesting

/// A kill -9 never loses an acknowledged event, and a torn tail never stops the daemon from starting
/// (docs/ARCHITECTURE.md, "Why an acknowledged event survives").
@Suite struct CrashRecoveryTests {
    /// The kill moments of the crash rounds; `WOOSHHOOK_CRASH_SEED=N` replays them.
    static let seed = SeededGenerator.seed(for: "crash rounds", variable: "WOOSHHOOK_CRASH_SEED")

    @Test func sigkillDuringABurstLosesNoAcknowledgedEvent() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        try daemon.start()
        let port = daemon.port
        let acknowledged = ConcurrentCollector<String>()
        let group = DispatchGroup()
        for worker in 0..<8 {
            DispatchQueue.global().async(group: group) {
                for index in 0..<400 {
                    let id = "evt_kill_\(worker)_\(index)"
                    guard let response = try? SignedRequest.event(id: id).send(port: port) else { return }
                    if response.status == 200 { acknowledged.append(id) }
                }
            }
        }
        #expect(eventually(timeout: 20) { acknowledged.values.count >= 100 })
        daemon.stop(signal: SIGKILL)
        group.wait()
        let acked = Set(acknowledged.values)
        #expect(acked.count >= 100)
        try daemon.start()
        let records = daemon.journalLines().map(record)
        let journaled = Set(records.compactMap { $0["event_id"] as? String })
        #expect(acked.isSubset(of: journaled), "lost: \(acked.subtracting(journaled).sorted().prefix(5))")
        let seqs = records.compactMap { $0["seq"] as? Int }
        #expect(seqs == Array(1...max(1, seqs.count)))
        let verify = try WooshhookBinary.run(["journal", "verify", "--journal", daemon.journalDirectory])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    /// 20 rounds of load killed at a random moment, on one journal: after all of them every acknowledged event is
    /// there once, seq is contiguous and `journal verify` is clean. `fsync: always`, and `interval` too: a kill -9
    /// leaves the page cache, so an event acknowledged once the event loop wrote it is not lost either.
    @Test(arguments: ["always", "interval"])
    func twentyRandomCrashRounds(_ fsync: String) throws {
        let daemon = try DaemonProcess(overrides: ["journal": ["directory": "journal", "fsync": fsync]])
        defer { daemon.cleanUp() }
        let acknowledged = ConcurrentCollector<String>()
        var generator = SeededGenerator(seed: Self.seed &+ (fsync == "always" ? 0 : 1))
        for round in 0..<20 {
            try daemon.start()
            let port = daemon.port
            let group = DispatchGroup()
            for worker in 0..<4 {
                DispatchQueue.global().async(group: group) {
                    for index in 0..<2_000 {
                        let id = "evt_round\(round)_\(worker)_\(index)"
                        guard let response = try? SignedRequest.event(id: id).send(port: port) else { return }
                        if response.status == 200 { acknowledged.append(id) }
                    }
                }
            }
            usleep(UInt32.random(in: 20_000...300_000, using: &generator))
            daemon.stop(signal: SIGKILL)
            group.wait()
        }
        try daemon.start()
        let records = daemon.journalLines().map(record)
        let ids = records.compactMap { $0["event_id"] as? String }
        let acked = Set(acknowledged.values)
        #expect(acked.count > 100)
        #expect(acked.isSubset(of: Set(ids)), "lost: \(acked.subtracting(ids).sorted().prefix(5))")
        #expect(Set(ids).count == ids.count, "an event was journaled twice")
        #expect(records.compactMap { $0["seq"] as? Int } == Array(1...max(1, records.count)))
        daemon.stop()
        let verify = try WooshhookBinary.run(["journal", "verify", "--journal", daemon.journalDirectory])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    enum Tear: String, CaseIterable {
        case noFinalNewline, notJSON, digestMismatch, zeroFilled
    }

    @Test(arguments: Tear.allCases)
    func tornTailIsCutAndKept(_ tear: Tear) throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        try daemon.start()
        for index in 0..<3 {
            #expect(try SignedRequest.event(id: "evt_torn_\(index)").send(port: daemon.port).status == 200)
        }
        #expect(daemon.stop() == 0)
        let segment = "\(daemon.journalDirectory)/00000000000000000001.jsonl"
        let original = try #require(FileManager.default.contents(atPath: segment))
        let lines = daemon.journalLines()
        let tail: [UInt8]
        switch tear {
        case .noFinalNewline: tail = Array(lines[2].utf8.prefix(40))
        case .notJSON: tail = Array("{\"seq\":4,\"garbage\n".utf8)
        case .digestMismatch:
            tail = Array(
                (lines[2].replacingOccurrences(of: "\"seq\":3", with: "\"seq\":4")
                    .replacingOccurrences(of: "evt_torn_2", with: "evt_torn_X") + "\n").utf8)
        case .zeroFilled: tail = [UInt8](repeating: 0, count: 512)
        }
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data(tail))
        try handle.close()

        try daemon.start()
        #expect(FileManager.default.contents(atPath: segment) == original)
        #expect(FileManager.default.contents(atPath: segment + ".torn").map { [UInt8]($0) } == tail)
        #expect(daemon.logLines().contains { $0.contains("torn") && $0.contains("00000000000000000001.jsonl") })
        #expect(try SignedRequest.event(id: "evt_after_torn").send(port: daemon.port).status == 200)
        #expect(daemon.journalLines().map { record($0)["seq"] as? Int } == [1, 2, 3, 4])
    }
}
