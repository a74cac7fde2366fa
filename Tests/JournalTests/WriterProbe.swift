import Foundation

@testable import Journal

/// The journal writer's system calls and clocks as a test drives them: writes that fail as a full disk would, a wall
/// clock the test moves, and a view of the writer thread's sleep, so no test waits on timing.
final class WriterProbe: @unchecked Sendable {
    private let state = NSCondition()
    private var failingWrites = 0
    private var wallClockOffset: Int64 = 0
    private var sleeping = false
    private var signalledWakeUps = 0
    private var preallocationError: Int32 = 0
    private var allocateBeforeFailing = false
    private var preallocations: [(offset: Int, length: Int)] = []

    /// The next `count` writes write half of their bytes and then fail with ENOSPC.
    func failNextWrites(_ count: Int) { state.withLock { failingWrites = count } }

    /// Moves the writer's wall clock (retention, the dedupe window, hourly maintenance) forward.
    func advanceWallClock(bySeconds seconds: Int64) { state.withLock { wallClockOffset += seconds } }

    /// Every later preallocation fails with `error`, as on a file system without `fallocate`; with
    /// `afterAllocating`, only after allocating, as ext4 does when it runs out of room part of the way.
    func failPreallocation(with error: Int32, afterAllocating: Bool = false) {
        state.withLock {
            preallocationError = error
            allocateBeforeFailing = afterAllocating
        }
    }

    /// The ranges the writer asked to preallocate, in order.
    var preallocated: [(offset: Int, length: Int)] { state.withLock { preallocations } }

    /// How often the writer thread was woken by a signal rather than by its deadline.
    var wakeUpsBySignal: Int { state.withLock { signalledWakeUps } }

    /// Waits until the writer thread is asleep waiting for work. It set the flag while holding the writer's
    /// condition lock, so anything the test then does under that lock (stage, append) happens while it sleeps.
    func waitUntilWriterSleeps(timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        state.lock()
        defer { state.unlock() }
        while !sleeping {
            if !state.wait(until: deadline) { return sleeping }
        }
        return true
    }

    var system: JournalSystem {
        let live = JournalSystem.live
        return JournalSystem(
            writeAll: { [self] fd, bytes, offset, path throws(JournalError) in
                let fails = state.withLock {
                    guard failingWrites > 0 else { return false }
                    failingWrites -= 1
                    return true
                }
                guard fails else { return try live.writeAll(fd, bytes, offset, path) }
                try live.writeAll(fd, Array(bytes.prefix(bytes.count / 2)), offset, path)
                throw JournalError("write", path: path, code: ENOSPC, hint: "a full disk, simulated by the test")
            },
            dataSync: live.dataSync,
            preallocate: { [self] fd, offset, length in
                let (error, allocate) = state.withLock {
                    preallocations.append((offset, length))
                    return (preallocationError, allocateBeforeFailing)
                }
                guard error != 0 else { return live.preallocate(fd, offset, length) }
                if allocate { _ = live.preallocate(fd, offset, length) }
                return error
            },
            wallClockSeconds: { [self] in live.wallClockSeconds() + state.withLock { wallClockOffset } },
            uptimeNanoseconds: live.uptimeNanoseconds,
            waitForWork: { [self] condition, deadline in
                state.withLock {
                    sleeping = true
                    state.broadcast()
                }
                let signalled = condition.wait(until: deadline)
                state.withLock {
                    sleeping = false
                    if signalled { signalledWakeUps += 1 }
                }
                return signalled
            }
        )
    }
}
