import Foundation
import Testing

@testable import Journal

/// The follower a handler reads the journal with never goes past the writer's durable head.
struct JournalFollowerTests {
    /// Three records in one segment, written by a real writer; returns the segment's path.
    private func threeRecords(_ journal: TemporaryJournal, prefix: String) throws -> String {
        let writer = try journal.open()
        for n in 1...3 { _ = appendAndWait(writer, record("evt_\(prefix)\(n)")) }
        writer.close()
        return try #require(try journal.segments().first)
    }

    @Test func aBatchPastTheHeadIsReadOnlyOnceTheHeadReachesIt() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        _ = try threeRecords(journal, prefix: "a")
        let follower = try JournalFollower(directory: journal.directory, afterSeq: 0)

        let first = try follower.poll(throughSeq: 2).map { try $0.get().eventID }
        #expect(first == ["evt_a1", "evt_a2"])
        #expect(try follower.poll(throughSeq: 2).isEmpty)
        let rest = try follower.poll(throughSeq: 3).map { try $0.get().eventID }
        #expect(rest == ["evt_a3"])
    }

    /// What the writer does when a batch's fdatasync fails: the batch is cut back and seq 3 goes to the next event.
    /// A follower that had read the failed record would have handed it out and then skipped the real seq 3.
    @Test func aCutBackBatchIsNeverHandedOutAndItsSeqIsReadFromTheNewRecord() throws {
        let journal = try TemporaryJournal()
        let other = try TemporaryJournal()
        defer {
            journal.cleanUp()
            other.cleanUp()
        }
        let segment = try threeRecords(journal, prefix: "a")
        let replacement = try threeRecords(other, prefix: "b")
        let follower = try JournalFollower(directory: journal.directory, afterSeq: 0)

        // The writer's head is 2: record 3 is written but its sync has not returned.
        #expect(try follower.poll(throughSeq: 2).count == 2)

        // The sync failed: record 3 is cut off, and the next event takes seq 3.
        let lines = try Data(contentsOf: URL(fileURLWithPath: segment)).split(separator: UInt8(ascii: "\n"))
        let newThird = try Data(contentsOf: URL(fileURLWithPath: replacement)).split(separator: UInt8(ascii: "\n"))[2]
        var rewritten = Data()
        for line in lines.prefix(2) + [newThird] { rewritten.append(contentsOf: line + [UInt8(ascii: "\n")]) }
        try rewritten.write(to: URL(fileURLWithPath: segment))

        let third = try follower.poll(throughSeq: 3).map { try $0.get() }
        #expect(third.map(\.seq) == [3])
        #expect(third.map(\.eventID) == ["evt_b3"])
    }
}
