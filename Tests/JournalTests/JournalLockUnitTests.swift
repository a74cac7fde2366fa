import Foundation
import Testing

@testable import Journal

/// The journal lock on its own: exclusive (an flock belongs to the open file, so a second open in this process
/// contends like another process would), given back by `release`, never mistaken for a segment.
struct JournalLockUnitTests {
    @Test func aSecondAcquireIsRefusedWithTheHolderPIDUntilTheFirstIsReleased() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let first = try JournalLock.acquire(directory: journal.directory)
        #expect(first.path == "\(journal.directory)/wooshhook.lock")
        #expect(try String(contentsOfFile: first.path, encoding: .utf8) == "\(getpid())\n")
        #expect(throws: JournalLockError.held(directory: journal.directory, path: first.path, pid: getpid())) {
            _ = try JournalLock.acquire(directory: journal.directory)
        }
        first.release()
        first.release() // idempotent: must not close a descriptor opened since
        let second = try JournalLock.acquire(directory: journal.directory)
        defer { second.release() }
        let message = JournalLockError.held(directory: journal.directory, path: second.path, pid: 42).description
        #expect(message.contains(journal.directory) && message.contains("PID 42") && !message.contains("\n"))
    }

    @Test func theLockFileIsNoSegment() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let lock = try JournalLock.acquire(directory: journal.directory)
        defer { lock.release() }
        let writer = try journal.open()
        _ = appendAndWait(writer, record("evt_locked"))
        writer.close()
        #expect(try journal.segments().map { ($0 as NSString).lastPathComponent } == ["00000000000000000001.jsonl"])
        let report = try JournalVerifier.verify(directory: journal.directory)
        #expect(report.isClean && report.records == 1)
    }

    /// The listening address is believed only from the live holder: a record left by a daemon that died (another
    /// PID) is not, and the lock file itself still holds only the PID.
    @Test func theHolderListenerIsTheLiveHoldersOnly() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let addressPath = "\(journal.directory)/\(JournalLock.addressFileName)"
        try "999999 127.0.0.1 8085\n".write(toFile: addressPath, atomically: true, encoding: .utf8)
        let lock = try JournalLock.acquire(directory: journal.directory)
        defer { lock.release() }
        #expect(JournalLock.holderListener(directory: journal.directory) == nil, "a dead daemon's address")
        #expect(lock.recordListener(host: "::1", port: 48123))
        let listener = JournalLock.holderListener(directory: journal.directory)
        #expect(listener?.host == "::1" && listener?.port == 48123)
        #expect(try String(contentsOfFile: lock.path, encoding: .utf8) == "\(getpid())\n")
        #expect(try journal.segments().isEmpty, "the address file is no segment either")
    }

    @Test func aLockFileThatCannotBeOpenedIsAnErrorNamingIt() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let path = "\(journal.directory)/wooshhook.lock"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect(throws: JournalLockError.unavailable(path: path, operation: "create", code: EISDIR)) {
            _ = try JournalLock.acquire(directory: journal.directory)
        }
        let missing = "\(journal.directory)/not-there"
        #expect(
            throws: JournalLockError.unavailable(path: "\(missing)/wooshhook.lock", operation: "create", code: ENOENT)
        ) {
            _ = try JournalLock.acquire(directory: missing)
        }
    }
}
