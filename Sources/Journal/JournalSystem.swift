import Foundation
import SystemSupport

/// The system calls and clocks `JournalWriter` depends on, passed in rather than called directly so that a test can
/// make a write fail as a full disk would, hold the writer inside a write, watch it fall asleep, or move its clocks,
/// without flags in the product. `live` is the only value the daemon uses.
struct JournalSystem: Sendable {
    /// Writes all of `bytes` at `offset` of the open segment `fd` (named `path` for errors).
    var writeAll: @Sendable (_ fd: Int32, _ bytes: [UInt8], _ offset: Int, _ path: String) throws(JournalError) -> Void
    /// `fdatasync`: 0 on success, otherwise -1 with `errno` set.
    var dataSync: @Sendable (_ fd: Int32) -> Int32
    /// Allocates `length` bytes from `offset` without changing the file's size (`FALLOC_FL_KEEP_SIZE`): 0 on
    /// success, otherwise the error number (`EOPNOTSUPP` where the file system has no such call).
    var preallocate: @Sendable (_ fd: Int32, _ offset: Int, _ length: Int) -> Int32
    /// Seconds since the epoch: the time retention and the dedupe window are measured in.
    var wallClockSeconds: @Sendable () -> Int64
    /// A clock that never goes back: the time `fsync: interval` is measured in.
    var uptimeNanoseconds: @Sendable () -> UInt64
    /// The writer thread's sleep: waits on `condition` (locked by the caller) until signalled or `deadline`;
    /// false when the deadline passed.
    var waitForWork: @Sendable (_ condition: NSCondition, _ deadline: Date) -> Bool

    static let live = JournalSystem(
        writeAll: { fd, bytes, offset, path throws(JournalError) in
            try FileWriting.writeAll(fd, bytes, offset: offset, path: path)
        },
        dataSync: { fdatasync($0) },
        preallocate: { fd, offset, length in DiskSpace.reserve(fd, offset: offset, length: length) },
        wallClockSeconds: { SystemClock.nowMilliseconds() / 1000 },
        uptimeNanoseconds: { UInt64(SystemClock.monotonicNanoseconds()) },
        waitForWork: { condition, deadline in condition.wait(until: deadline) }
    )
}
