import Foundation
import Testing
import WooshhookTesting

/// Power loss, simulated. The journal lives on powercutfs (see `PowerCutFileSystem`); a cut is a SIGKILL of the
/// daemon, then every write and directory change it did not sync is dropped, then the daemon starts again on what
/// survived. A SIGKILL alone keeps the page cache, so only a cut shows that what was answered was on disk first.
///
/// The random moments come from a seed printed at the start; `WOOSHHOOK_POWERCUT_SEED=N` replays them.
@Suite(.serialized) struct PowerCutTests {
    static let seed = SeededGenerator.seed(for: "power-cut tests", variable: "WOOSHHOOK_POWERCUT_SEED")

    /// A daemon whose `journal.directory` is `disk/journal` on a mounted powercutfs, in one temporary folder.
    final class Rig {
        let daemon: DaemonProcess
        let fs: PowerCutFileSystem

        init(journal: [String: Any], _ overrides: [String: Any] = [:]) throws {
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("wooshhook-powercut-\(UUID().uuidString)")
            var journal = journal
            journal["directory"] = "disk/journal"
            var configuration = overrides
            configuration["journal"] = journal
            daemon = try DaemonProcess(overrides: configuration, directory: folder)
            do {
                fs = try PowerCutFileSystem(in: folder)
            } catch {
                daemon.cleanUp()
                throw error
            }
        }

        /// The power cut: SIGKILL, then whatever was not synced is lost. Returns the uptime of the kill.
        @discardableResult
        func cut() throws -> UInt64 {
            let killedAt = DispatchTime.now().uptimeNanoseconds
            daemon.stop(signal: SIGKILL)
            try fs.cut()
            return killedAt
        }

        /// Every record `tail --json` prints (of the quarantine with `quarantine`).
        func tail(quarantine: Bool = false) throws -> [[String: Any]] {
            let result = try WooshhookBinary.run(
                ["tail", "--json", "-n", "10000000", "--journal", daemon.journalDirectory]
                    + (quarantine ? ["--quarantine"] : []))
            guard result.status == 0 else { throw TestFailure("tail exited \(result.status): \(result.stderr)") }
            return result.stdout.split(separator: "\n").map { record(String($0)) }
        }

        /// Stops the daemon, unmounts (by PID), removes the folder.
        func close() {
            daemon.stop(signal: SIGKILL)
            fs.unmount()
            daemon.cleanUp()
        }
    }

    /// Concurrent senders until `stop()` (or the daemon is gone): fresh events, and with `staleEvery` every n-th a
    /// stale one that the daemon quarantines. Keeps each id answered 200 (and each one answered 401 "kept in
    /// quarantine") with the uptime at which the answer arrived.
    final class Load: @unchecked Sendable {
        let acknowledged = ConcurrentCollector<(id: String, at: UInt64)>()
        let quarantined = ConcurrentCollector<String>()
        private let stopped = NSLock()
        private var isStopped = false
        private let group = DispatchGroup()

        init(port: Int, workers: Int, prefix: String, staleEvery: Int? = nil) {
            for worker in 0..<workers {
                DispatchQueue.global().async(group: group) { [self] in
                    var index = 0
                    while !stopped.withLock({ isStopped }) {
                        index += 1
                        let id = "evt_\(prefix)_\(worker)_\(index)"
                        var request = SignedRequest.event(id: id)
                        let stale = staleEvery.map { index % $0 == 0 } ?? false
                        if stale { request.timestamp = String(Int(Date().timeIntervalSince1970) - 3_600) }
                        guard let response = try? request.send(port: port) else { return }
                        let at = DispatchTime.now().uptimeNanoseconds
                        if response.status == 200 && !stale { acknowledged.append((id, at)) }
                        if stale && response.status == 401 && response.bodyText.contains("kept in quarantine") {
                            quarantined.append(id)
                        }
                    }
                }
            }
        }

        func stop() {
            stopped.withLock { isStopped = true }
            group.wait()
        }

        var ids: Set<String> { Set(acknowledged.values.map(\.id)) }
    }

    /// What a journal read back holds: ids in order, seqs.
    static func check(_ records: [[String: Any]], holdsOnce acknowledged: Set<String>, _ what: String) {
        let ids = records.compactMap { $0["event_id"] as? String }
        let lost = acknowledged.subtracting(ids)
        #expect(lost.count == 0, "\(what): answered events lost after a cut, e.g. \(lost.sorted().prefix(5))")
        #expect(Set(ids).count == ids.count, "\(what): an event is there twice")
        let seqs = records.compactMap { $0["seq"] as? Int }
        #expect(seqs == (0..<seqs.count).map { $0 + 1 }, "\(what): seq not contiguous")
    }

    // MARK: - Found by these tests

    /// `serve` creates `journal.directory` (and `quarantine/`, `cursors/`, `deadletters/`) itself: unless their
    /// parents are synced, a cut takes the directories with every record in them.
    @Test func directoriesServeCreatesSurviveACut() throws {
        let rig = try Rig(journal: ["fsync": "always"])
        defer { rig.close() }
        try rig.daemon.start()
        for index in 0..<3 {
            let response = try SignedRequest.event(id: "evt_first_\(index)").send(port: rig.daemon.port)
            try #require(response.status == 200, "\(response.bodyText)")
        }
        var stale = SignedRequest.event(id: "evt_first_stale")
        stale.timestamp = String(Int(Date().timeIntervalSince1970) - 3_600)
        #expect(try stale.send(port: rig.daemon.port).bodyText.contains("kept in quarantine"))
        try rig.cut()
        try rig.daemon.start()
        let journaled = try rig.tail().compactMap { $0["event_id"] as? String }
        #expect(journaled == ["evt_first_0", "evt_first_1", "evt_first_2"])
        #expect(try rig.tail(quarantine: true).compactMap { $0["event_id"] as? String } == ["evt_first_stale"])
    }

    /// A torn tail is cut off at start and its bytes kept in `<segment>.torn`: a cut right after must not leave the
    /// segment cut back and the `.torn` file gone.
    @Test func tornTailKeptAcrossACut() throws {
        let rig = try Rig(journal: ["fsync": "always"])
        defer { rig.close() }
        try rig.daemon.start()
        for index in 0..<3 {
            #expect(try SignedRequest.event(id: "evt_torn_\(index)").send(port: rig.daemon.port).status == 200)
        }
        #expect(rig.daemon.stop() == 0)
        let segment = "\(rig.daemon.journalDirectory)/00000000000000000001.jsonl"
        let original = try #require(FileManager.default.contents(atPath: segment))
        let tail = "{\"seq\":4,\"garbage\n"
        try PowerCutFileSystemTests.write(segment, tail, flags: O_WRONLY | O_APPEND, sync: fsync)
        try rig.daemon.start()
        #expect(FileManager.default.contents(atPath: segment) == original)
        try rig.cut()
        let survived = "\(rig.fs.backing)/journal/00000000000000000001.jsonl"
        #expect(FileManager.default.contents(atPath: survived) == original)
        let kept = FileManager.default.contents(atPath: survived + ".torn").map { String(decoding: $0, as: UTF8.self) }
        #expect(kept == tail, "the torn bytes were cut from the segment and lost")
    }

    // MARK: - fsync: always

    /// Rounds of concurrent load (one delivery in eight stale, for the quarantine), each cut at a random moment,
    /// with segments small enough to roll many times: after every restart each id answered 200 is in `tail --json`
    /// exactly once with seq contiguous, each id answered "kept in quarantine" is in the quarantine; at the end
    /// `journal verify` exits 0 and new events are accepted.
    @Test func alwaysLosesNothingAnsweredOverRandomCuts() throws {
        var random = SeededGenerator(seed: Self.seed)
        let rig = try Rig(journal: ["fsync": "always", "segment_bytes": 8_192])
        defer { rig.close() }
        var acknowledged = Set<String>()
        var quarantined = Set<String>()
        for round in 0..<5 {
            try rig.daemon.start()
            let load = Load(port: rig.daemon.port, workers: 4, prefix: "always\(round)", staleEvery: 8)
            usleep(UInt32.random(in: 100_000...600_000, using: &random))
            try rig.cut()
            load.stop()
            acknowledged.formUnion(load.ids)
            quarantined.formUnion(load.quarantined.values)
            try rig.daemon.start()
            Self.check(try rig.tail(), holdsOnce: acknowledged, "round \(round)")
            Self.check(try rig.tail(quarantine: true), holdsOnce: quarantined, "quarantine, round \(round)")
            rig.daemon.stop(signal: SIGKILL)
        }
        #expect(acknowledged.count > 100, "too little load to mean anything: \(acknowledged.count)")
        #expect(quarantined.count > 10)
        let segments = try FileManager.default.contentsOfDirectory(atPath: rig.daemon.journalDirectory)
            .filter { $0.hasSuffix(".jsonl") }
        #expect(segments.count > 5, "segments did not roll: \(segments)")
        let verify = try WooshhookBinary.run(["journal", "verify", "--journal", rig.daemon.journalDirectory])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        try rig.daemon.start()
        #expect(try SignedRequest.event(id: "evt_after_the_cuts").send(port: rig.daemon.port).status == 200)
        Self.check(try rig.tail(), holdsOnce: acknowledged.union(["evt_after_the_cuts"]), "after the cuts")
    }

    // MARK: - fsync: interval

    /// `interval` answers before the sync: a cut loses what was answered since the last sync, and nothing older.
    /// Measures, over cuts at random moments, how long before the cut the oldest lost event was answered; the bound
    /// documented in the README is `fsync_interval_ms` plus the time one sync takes.
    @Test func intervalLosesOnlyTheLastIntervalBeforeACut() throws {
        var random = SeededGenerator(seed: Self.seed &+ 1)
        let intervalMilliseconds = 50
        let rig = try Rig(
            journal: ["fsync": "interval", "fsync_interval_ms": intervalMilliseconds, "segment_bytes": 65_536])
        defer { rig.close() }
        var answered = 0
        var lostCount = 0
        var oldestLostMilliseconds = 0.0
        var survived = Set<String>()
        for round in 0..<6 {
            try rig.daemon.start()
            let load = Load(port: rig.daemon.port, workers: 4, prefix: "interval\(round)")
            usleep(UInt32.random(in: 150_000...600_000, using: &random))
            let cutAt = try rig.cut()
            load.stop()
            try rig.daemon.start()
            let records = try rig.tail()
            let ids = Set(records.compactMap { $0["event_id"] as? String })
            let acknowledged = load.acknowledged.values
            answered += acknowledged.count
            for (id, at) in acknowledged where !ids.contains(id) {
                lostCount += 1
                // Negative for an answer that arrived after the kill was sent.
                oldestLostMilliseconds = max(oldestLostMilliseconds, Double(Int64(cutAt) - Int64(at)) / 1e6)
            }
            // What survived earlier cuts survives this one too; seq stays contiguous.
            Self.check(records, holdsOnce: survived, "interval round \(round)")
            survived = ids
            rig.daemon.stop(signal: SIGKILL)
        }
        print(
            """
            fsync interval \(intervalMilliseconds) ms: \(lostCount) of \(answered) answered events lost over 6 cuts; \
            the oldest lost one was answered \(String(format: "%.1f", oldestLostMilliseconds)) ms before the cut
            """)
        #expect(answered > 100)
        #expect(
            oldestLostMilliseconds <= Double(intervalMilliseconds) + 100,
            "an event answered \(oldestLostMilliseconds) ms before the cut was lost: more than the interval")
    }

    // MARK: - fsync: never

    /// The tests above have teeth: with `fsync: never` nothing is synced, and the same check finds the losses. If
    /// this test fails, the power-cut file system no longer drops unsynced writes, and every test above proves
    /// nothing.
    @Test func neverIsCaughtLosingAnsweredEvents() throws {
        let rig = try Rig(journal: ["fsync": "never"])
        defer { rig.close() }
        try rig.daemon.start()
        let load = Load(port: rig.daemon.port, workers: 4, prefix: "never")
        #expect(eventually(timeout: 20) { load.acknowledged.values.count >= 50 })
        try rig.cut()
        load.stop()
        try rig.daemon.start()
        let ids = Set(try rig.tail().compactMap { $0["event_id"] as? String })
        let lost = load.ids.subtracting(ids)
        #expect(lost.count > 0, "fsync: never lost nothing in a power cut: the file system kept unsynced writes")
    }

    // MARK: - Handlers

    /// Handler cursors and dead letters after cuts: a cursor is there, a number (old or new, never torn or
    /// missing); every event up to a failing handler's cursor has its dead-letter line; after the last restart
    /// every event is handled at least once and dead-lettered at least once.
    @Test func handlerCursorsAndDeadLettersSurviveCuts() throws {
        var random = SeededGenerator(seed: Self.seed &+ 2)
        let outbox = try HandlerTests.Outbox()
        let handlers: [[String: Any]] = [
            HandlerTests.exec("record", "echo $WOOSHHOOK_EVENT_ID >> \(outbox.path)/handled"),
            HandlerTests.exec("reject", "exit 1", maxAttempts: 1),
        ]
        let rig = try Rig(journal: ["fsync": "always", "segment_bytes": 16_384], ["handlers": handlers])
        defer { rig.close() }
        var acknowledged = Set<String>()
        let cursors = "\(rig.fs.backing)/journal/cursors"
        for round in 0..<4 {
            try rig.daemon.start()
            let load = Load(port: rig.daemon.port, workers: 2, prefix: "handled\(round)")
            usleep(UInt32.random(in: 200_000...700_000, using: &random))
            try rig.cut()
            load.stop()
            acknowledged.formUnion(load.ids)
            // Read straight from what survived, before the daemon starts again.
            let journalHead = rig.daemon.journalLines().count
            for name in ["record", "reject"] {
                let text = try? String(contentsOfFile: "\(cursors)/\(name)", encoding: .utf8)
                guard let text else {
                    Issue.record("round \(round): cursor \(name) missing after a cut")
                    continue
                }
                let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
                #expect(value != nil, "round \(round): cursor \(name) torn: \(text)")
                #expect(
                    (value ?? 0) <= journalHead,
                    "round \(round): cursor \(name) past the journal's seq \(journalHead)")
            }
            let rejectCursor =
                (try? String(contentsOfFile: "\(cursors)/reject", encoding: .utf8))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            let deadLetters = Self.deadLetterSeqs(in: "\(rig.fs.backing)/journal/deadletters/reject.jsonl")
            let missing = rejectCursor == 0 ? [] : Set(1...rejectCursor).subtracting(deadLetters)
            #expect(
                missing.count == 0,
                "round \(round): cursor at \(rejectCursor) but no dead letter for \(missing.sorted().prefix(5))")
        }
        try rig.daemon.start()
        let records = try rig.tail()
        Self.check(records, holdsOnce: acknowledged, "handlers")
        let head = records.count
        #expect(
            eventually(timeout: 90) {
                ["record", "reject"].allSatisfy { name in
                    (try? String(contentsOfFile: "\(rig.daemon.journalDirectory)/cursors/\(name)", encoding: .utf8))
                        .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } == head
                }
            }, "the handlers did not catch up with seq \(head)")
        let handled = Set(outbox.lines("handled"))
        let journaled = records.compactMap { $0["event_id"] as? String }
        let neverHandled = Set(journaled).subtracting(handled)
        #expect(neverHandled.count == 0, "never handled: \(neverHandled.sorted().prefix(5))")
        let deadLetters = Self.deadLetterSeqs(in: "\(rig.daemon.journalDirectory)/deadletters/reject.jsonl")
        let neverDeadLettered = head == 0 ? [] : Set(1...head).subtracting(deadLetters)
        #expect(neverDeadLettered.count == 0, "never dead-lettered: seq \(neverDeadLettered.sorted().prefix(5))")
    }

    /// The seqs in a dead-letter file; a line that is not JSON fails the test (torn).
    static func deadLetterSeqs(in path: String) -> Set<Int> {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var seqs = Set<Int>()
        for line in text.split(separator: "\n") {
            let seq = record(String(line))["seq"] as? Int
            #expect(seq != nil, "torn dead-letter line in \(path): \(line)")
            if let seq { seqs.insert(seq) }
        }
        return seqs
    }
}
