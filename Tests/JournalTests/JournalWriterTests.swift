import Foundation
import Testing

@testable import Journal

struct JournalWriterTests {
    @Test func concurrentAppendsGetContiguousSeqsInFewerBatches() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let writer = try journal.open()
        let count = 400
        let outcomes = OutcomeList()
        let group = DispatchGroup()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in stride(from: thread, to: count, by: 8) {
                group.enter()
                writer.append(record("evt_\(index)")) { outcome in
                    outcomes.append(outcome)
                    group.leave()
                }
            }
        }
        group.wait()
        writer.close()
        let seqs = outcomes.values.compactMap { outcome -> UInt64? in
            if case .appended(let seq) = outcome { return seq }
            return nil
        }
        #expect(seqs.sorted() == Array(1...UInt64(count)))
        #expect(writer.batchCount < count, "group commit shares fsyncs: \(writer.batchCount) batches")
        let records = try journal.records()
        #expect(records.map(\.seq) == Array(1...UInt64(count)))
        #expect(Set(records.map(\.eventID)).count == count)
        #expect(writer.lastSeq == UInt64(count))
    }

    /// Staging does not wake the writer: the records wait, however long, until `releaseStaged` wakes it once, and
    /// go as one batch. The probe sees the writer asleep before the first stage and counts what woke it.
    @Test func stagedRecordsWaitForReleaseAndBecomeOneBatch() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let probe = WriterProbe()
        let writer = try journal.open(probe: probe)
        let outcomes = OutcomeList()
        let group = DispatchGroup()
        #expect(probe.waitUntilWriterSleeps())
        for index in 0..<20 {
            group.enter()
            writer.stage(record("evt_\(index)")) { outcome in
                outcomes.append(outcome)
                group.leave()
            }
        }
        #expect(probe.wakeUpsBySignal == 0, "staging woke the writer")
        #expect(outcomes.values.isEmpty && writer.lastSeq == 0 && writer.batchCount == 0)
        writer.releaseStaged()
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(probe.wakeUpsBySignal >= 1, "the release woke it")
        #expect(writer.batchCount == 1, "one release, one batch: \(writer.batchCount)")
        #expect(outcomes.values == (1...20).map { AppendOutcome.appended(seq: UInt64($0)) })
        writer.close()
        #expect(try journal.records().map(\.eventID) == (0..<20).map { "evt_\($0)" })
    }

    /// `interval` (and `never`): the thread that releases staged records writes them itself and completes them
    /// before `releaseStaged` returns; the writer thread, asleep meanwhile, is told a sync is due and makes it.
    @Test func withIntervalTheReleasingThreadWritesAndTheWriterSyncs() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let probe = WriterProbe()
        let writer = try journal.open(fsync: .interval(milliseconds: 20), probe: probe)
        let outcomes = OutcomeList()
        let elsewhere = OutcomeList()
        let releasing = pthread_self()
        for round in 0..<2 {
            // A writer thread that is awake takes staged records itself (correct, but not what is tested here).
            #expect(probe.waitUntilWriterSleeps())
            for index in 0..<20 {
                writer.stage(record("evt_\(round)_\(index)")) { outcome in
                    (pthread_equal(pthread_self(), releasing) != 0 ? outcomes : elsewhere).append(outcome)
                }
            }
            #expect(outcomes.values.count == round * 20, "staged, not yet written")
            writer.releaseStaged()
            #expect(outcomes.values == (1...(round + 1) * 20).map { AppendOutcome.appended(seq: UInt64($0)) })
            #expect(elsewhere.values.isEmpty, "every completion ran on the releasing thread")
            #expect(writer.lastSeq == UInt64((round + 1) * 20))
            let deadline = Date().addingTimeInterval(5)
            while writer.syncDue.load(ordering: .acquiring) != 0 && Date() < deadline { usleep(1000) }
            #expect(writer.syncDue.load(ordering: .acquiring) == 0, "the writer thread synced the inline batch")
        }
        #expect(writer.batchCount == 2)
        writer.close()
        #expect(try journal.records().count == 40)
        #expect(try JournalVerifier.verify(directory: journal.directory).isClean)
    }

    @Test func duplicatesAcrossBatchesInOneBatchAndAfterReopen() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        var writer = try journal.open()
        #expect(appendAndWait(writer, record("evt_a")) == .appended(seq: 1))
        #expect(appendAndWait(writer, record("evt_a")) == .duplicate)
        let first = OutcomeBox()
        let second = OutcomeBox()
        writer.append(record("evt_b")) { first.set($0) }
        writer.append(record("evt_b")) { second.set($0) }
        #expect(first.wait() == .appended(seq: 2))
        #expect(second.wait() == .duplicate)
        writer.close()
        writer = try journal.open()
        #expect(appendAndWait(writer, record("evt_a")) == .duplicate)
        #expect(appendAndWait(writer, record("evt_c")) == .appended(seq: 3))
        writer.close()
        #expect(try journal.records().map(\.eventID) == ["evt_a", "evt_b", "evt_c"])
        #expect(journal.logs.lines.contains { $0.contains("dedupe index rebuilt") })
    }

    @Test func anIDOlderThanTheWindowIsNewAgain() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var writer = try journal.open(dedupeWindowHours: 1)
        #expect(appendAndWait(writer, record("evt_old", receivedAt: now - 2 * 3_600_000)) == .appended(seq: 1))
        #expect(appendAndWait(writer, record("evt_old", receivedAt: now)) == .appended(seq: 2))
        #expect(appendAndWait(writer, record("evt_old", receivedAt: now + 1000)) == .duplicate)
        writer.close()
        writer = try journal.open(dedupeWindowHours: 1)
        #expect(appendAndWait(writer, record("evt_old")) == .duplicate)
        writer.close()
        writer = try journal.open(dedupe: false)
        #expect(appendAndWait(writer, record("evt_old")) == .appended(seq: 3))
        writer.close()
    }

    @Test func segmentsRollAndAreNamedByTheirFirstSeq() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let writer = try journal.open(segmentBytes: 1000)
        for index in 1...12 {
            _ = appendAndWait(writer, record("evt_\(index)", body: String(repeating: "x", count: 200)))
        }
        writer.close()
        let segments = try journal.segments()
        #expect(segments.count > 2)
        for segment in segments {
            let name = (segment as NSString).lastPathComponent
            let first = try #require(SegmentReading.lastRecords(of: segment, count: 100).first)
            #expect(name == String(format: "%020llu.jsonl", first.seq))
        }
        #expect(try journal.records().map(\.seq) == Array(1...12))
        let report = try JournalVerifier.verify(directory: journal.directory)
        #expect(report.isClean)
        #expect(
            report.records == 12 && report.firstSeq == 1 && report.lastSeq == 12 && report.segments == segments.count)
        let last = try JournalReader(directory: journal.directory).lastRecords(5)
        #expect(last.map(\.seq) == [8, 9, 10, 11, 12])
    }

    @Test func newestRecordByIDFindsPlainAndEscapedIDsAcrossSegments() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let writer = try journal.open(segmentBytes: 1000, dedupe: false)
        let ids = ["evt_plain", "evt_\"quoted\"\\", "evt_é", "evt_plain"]
        for (index, id) in ids.enumerated() {
            _ = appendAndWait(
                writer, record(id, body: "{\"n\":\(index),\"pad\":\"\(String(repeating: "z", count: 400))\"}"))
        }
        writer.close()
        let reader = try JournalReader(directory: journal.directory)
        #expect(reader.segmentPaths.count > 1)
        #expect(try reader.newestRecord(withEventID: "evt_plain")?.seq == 4)
        #expect(try reader.newestRecord(withEventID: "evt_\"quoted\"\\")?.seq == 2)
        #expect(try reader.newestRecord(withEventID: "evt_é")?.seq == 3)
        #expect(try reader.newestRecord(withEventID: "evt_pla") == nil)
        #expect(try reader.newestRecord(withEventID: "evt_nowhere") == nil)
    }

    @Test(arguments: [FsyncPolicy.never, .interval(milliseconds: 5)])
    func otherPoliciesStillJournalEverything(_ policy: FsyncPolicy) throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let writer = try journal.open(fsync: policy)
        for index in 1...20 { #expect(appendAndWait(writer, record("evt_\(index)")) == .appended(seq: UInt64(index))) }
        Thread.sleep(forTimeInterval: 0.05)
        writer.close()
        #expect(try journal.records().count == 20)
    }

    @Test func aFailedWriteLeavesNothingAndTheNextBatchReusesTheSeq() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let probe = WriterProbe()
        let writer = try journal.open(probe: probe)
        #expect(appendAndWait(writer, record("evt_1")) == .appended(seq: 1))
        let before = try Data(contentsOf: URL(fileURLWithPath: journal.segments()[0]))
        probe.failNextWrites(1)
        guard
            case .failed(let error) = appendAndWait(writer, record("evt_2", body: String(repeating: "y", count: 4000)))
        else {
            Issue.record("the injected failure did not fail the append")
            return
        }
        #expect(error.isOutOfSpace)
        #expect(!writer.isWritable)
        #expect(try Data(contentsOf: URL(fileURLWithPath: journal.segments()[0])) == before)
        #expect(appendAndWait(writer, record("evt_2")) == .appended(seq: 2), "not a duplicate: it was never written")
        #expect(probe.preallocated.count == 2, "the cut gave the reserve back, and the next batch reserved again")
        #expect(writer.isWritable)
        writer.close()
        #expect(try journal.records().map(\.seq) == [1, 2])
        #expect(try JournalVerifier.verify(directory: journal.directory).isClean)
    }

    @Test func closedWriterFailsAppendsAndCloseIsIdempotent() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let writer = try journal.open()
        writer.close()
        writer.close()
        guard case .failed = appendAndWait(writer, record("evt_late")) else {
            Issue.record("append after close must fail")
            return
        }
    }

    @Test func retentionDeletesOldSegmentsButNeverTheCurrentOne() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let old = Int64(Date().timeIntervalSince1970 * 1000) - 10 * 86_400_000
        var writer = try journal.open(segmentBytes: 600, dedupe: false)
        for index in 1...6 {
            _ = appendAndWait(writer, record("evt_\(index)", body: String(repeating: "o", count: 300), receivedAt: old))
        }
        writer.close()
        let before = try journal.segments()
        #expect(before.count >= 3)
        writer = try journal.open(segmentBytes: 600, retentionDays: 5, dedupe: false)
        let after = try journal.segments()
        #expect(after == [before[before.count - 1]])
        #expect(appendAndWait(writer, record("evt_new")) == .appended(seq: 7))
        writer.close()
        #expect(journal.logs.lines.filter { $0.contains("deleted by retention") }.count == before.count - 1)
    }

    /// The active segment's blocks are reserved ahead of the records without changing its size, so every reader
    /// still ends at the last whole record; a finished segment and a closed one give the unused blocks back.
    @Test func blocksAreReservedAheadWithoutChangingTheSizeAndGivenBackWhenASegmentEnds() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let probe = WriterProbe()
        let segmentBytes = 6 << 20
        let writer = try journal.open(segmentBytes: segmentBytes, probe: probe)
        for index in 1...10 { #expect(appendAndWait(writer, record("evt_\(index)")) == .appended(seq: UInt64(index))) }
        let first = try journal.segments()[0]
        var info = try fileStatus(first)
        let contents = try Data(contentsOf: URL(fileURLWithPath: first))
        #expect(Int(info.st_size) == contents.count && contents.last == UInt8(ascii: "\n"))
        #expect(contents.split(separator: UInt8(ascii: "\n")).count == 10, "the size ends at the last record")
        #expect(Int(info.st_blocks) * 512 >= JournalWriter.blockReservation, "\(info.st_blocks) blocks reserved")
        #expect(probe.preallocated.count == 1, "one reservation for many batches: \(probe.preallocated)")
        #expect(try JournalVerifier.verify(directory: journal.directory).isClean)

        // Records of ~700 KiB each fill the segment past its limit: it rolls, and the finished one is trimmed.
        let large = String(repeating: "L", count: 700 << 10)
        for index in 11...20 { _ = appendAndWait(writer, record("evt_\(index)", body: large)) }
        let segments = try journal.segments()
        #expect(segments.count == 2)
        info = try fileStatus(segments[0])
        #expect(Int(info.st_blocks) * 512 < Int(info.st_size) + 64 << 10, "the finished segment kept no reserve")
        #expect(Int(try fileStatus(segments[1]).st_blocks) * 512 >= JournalWriter.blockReservation)
        writer.close()
        info = try fileStatus(segments[1])
        #expect(Int(info.st_blocks) * 512 < Int(info.st_size) + 64 << 10, "a closed segment kept no reserve")
        #expect(try journal.records().map(\.seq) == Array(1...20))
        #expect(try JournalVerifier.verify(directory: journal.directory).isClean)
    }

    /// Preallocation is an optimisation only: a file system without it (FUSE, some network file systems) gets the
    /// same journal, with one attempt per step of the reserve, not one per batch.
    @Test func aFileSystemWithoutPreallocationJournalsAsBefore() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let probe = WriterProbe()
        probe.failPreallocation(with: EOPNOTSUPP)
        let writer = try journal.open(probe: probe)
        for index in 1...20 { #expect(appendAndWait(writer, record("evt_\(index)")) == .appended(seq: UInt64(index))) }
        writer.close()
        #expect(probe.preallocated.count == 1)
        #expect(try journal.records().map(\.seq) == Array(1...20))
        #expect(journal.logs.lines.filter { $0.contains("not preallocated") }.count == 1)
    }

    /// A reserve that fails part of the way (ext4 keeps what it did allocate) is given back at once: on a nearly
    /// full disk the journal must not hold blocks that nothing writes.
    @Test func aReserveThatFailsPartOfTheWayIsGivenBack() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let probe = WriterProbe()
        probe.failPreallocation(with: ENOSPC, afterAllocating: true)
        let writer = try journal.open(probe: probe)
        #expect(appendAndWait(writer, record("evt_1")) == .appended(seq: 1))
        let info = try fileStatus(try journal.segments()[0])
        #expect(Int(info.st_blocks) * 512 < 64 << 10, "\(info.st_blocks) blocks held after a failed reserve")
        writer.close()
        #expect(try journal.records().map(\.seq) == [1])
    }

    /// A daemon that runs for days applies retention and sweeps the dedupe window hourly, without a restart: the
    /// probe moves the writer's wall clock instead of the test waiting.
    @Test func hourlyMaintenanceAppliesRetentionAndForgetsOldIDsWhileRunning() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let probe = WriterProbe()
        let writer = try journal.open(segmentBytes: 600, retentionDays: 2, dedupeWindowHours: 1, probe: probe)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for index in 1...6 {
            #expect(
                appendAndWait(writer, record("evt_\(index)", body: String(repeating: "o", count: 300), receivedAt: now))
                    == .appended(seq: UInt64(index)))
        }
        let before = try journal.segments()
        #expect(before.count >= 3)
        #expect(appendAndWait(writer, record("evt_1", receivedAt: now)) == .duplicate)

        probe.advanceWallClock(bySeconds: 3 * 86_400)
        // The maintenance runs after the next batch; this record is new, written at the (moved) present.
        let later = now + 3 * 86_400_000
        #expect(appendAndWait(writer, record("evt_7", receivedAt: later)) == .appended(seq: 7))
        // One thread writes and maintains, in turn: this append completes only after that maintenance.
        #expect(
            appendAndWait(writer, record("evt_1", receivedAt: later)) == .appended(seq: 8),
            "an id older than the window is new again")
        let after = try journal.segments()
        #expect(after.count < before.count, "retention ran while the writer was running: \(after.count) segments")
        #expect(!after.contains(before[0]))
        #expect(journal.logs.lines.contains { $0.contains("deleted by retention") })
        writer.close()
        #expect(try JournalVerifier.verify(directory: journal.directory).firstSeq ?? 0 > 1)
    }
}

func fileStatus(_ path: String) throws -> stat {
    var info = stat()
    guard stat(path, &info) == 0 else { throw CocoaError(.fileReadNoSuchFile) }
    return info
}

final class OutcomeList: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [AppendOutcome] = []
    func append(_ outcome: AppendOutcome) { lock.withLock { stored.append(outcome) } }
    var values: [AppendOutcome] { lock.withLock { stored } }
}
