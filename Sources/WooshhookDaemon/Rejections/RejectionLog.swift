import Dispatch
import Foundation
import Logging
import Synchronization
import SystemSupport
import WooshPay

/// The rejection log under `<journal.directory>/rejections/` (see the README): every rejected request, one JSON line
/// each, bounded on disk by `rejections.max_bytes` and in write rate by a sampler, written by a thread of its own.
///
/// The event loop's part, `record`, takes a lock for a few stores into arrays made at start: it never waits for the
/// disk, never wakes the writer more than once per batch, and when the writer falls behind it counts the rejection
/// instead of queueing it. So a flood of bad requests cannot slow the answers to good ones, nor fill the disk.
final class RejectionLog: Sendable {
    /// Rejections waiting for the writer at most; beyond it they are counted, not kept.
    static let queueCapacity = 1024
    /// The writer's pause after each batch: a flood is written in a few batches a second, not one per request.
    static let batchPauseMicroseconds: UInt32 = 50_000

    let directory: String
    private let maxBytes: Int
    private let logger: Logger
    private let state: Mutex<State>
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    private struct State: Sendable {
        var queue: [RejectionEntry] = []
        var overflow: [Int] = Array(repeating: 0, count: RejectionCodeIndex.count)
        var overflowSamples: [RejectionEntry?] = Array(repeating: nil, count: RejectionCodeIndex.count)
        var tally = RejectionTally()
        var writerIdle = false
        var stopping = false
    }

    init(directory: String, maxBytes: Int, logger: Logger) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.logger = logger
        var initial = State()
        initial.queue.reserveCapacity(Self.queueCapacity)
        state = Mutex(initial)
    }

    /// Opens the current file (creating the directory) and starts the writer thread.
    func start() throws(DaemonError) {
        let file = RejectionLogFile(directory: directory, maxBytes: maxBytes)
        try file.open()
        if let failure = file.reserveFailure {
            logger.warning("\(failure); rejections may go unrecorded if the disk fills up")
        }
        started.store(true, ordering: .releasing)
        let box = FileBox(file)
        let thread = Thread { [self] in
            run(box.file)
            box.file.close()
            finished.signal()
        }
        thread.name = "rejection-log"
        thread.start()
    }

    /// Called for every rejection, on whatever thread answered it. Never blocks on I/O.
    func record(_ entry: RejectionEntry) {
        var entry = entry
        // A long path would be held in the queue whole: only what the line keeps is kept.
        if let path = entry.path, path.utf8.count > RejectionEntry.maximumFieldBytes {
            entry.path = String(decoding: path.utf8.prefix(RejectionEntry.maximumFieldBytes + 4), as: UTF8.self)
        }
        let wakeWriter = state.withLock { state -> Bool in
            state.tally.count(entry.code, atMilliseconds: entry.timeMilliseconds)
            guard !state.stopping else { return false }
            if state.queue.count < Self.queueCapacity {
                state.queue.append(entry)
            } else {
                let index = RejectionCodeIndex.of(entry.code)
                state.overflow[index] += 1
                state.overflowSamples[index] = entry
            }
            guard state.writerIdle else { return false }
            state.writerIdle = false
            return true
        }
        if wakeWriter { wake.signal() }
    }

    /// Per code, how many requests were rejected in the last hour (all of them, sampled or not; since start).
    func lastHour(nowMilliseconds: Int64) -> [RejectionCode: Int] {
        state.withLock { $0.tally.lastHour(nowMilliseconds: nowMilliseconds) }
    }

    /// Rejections per minute over the last hour, oldest first.
    func perMinute(nowMilliseconds: Int64) -> [Int] {
        state.withLock { $0.tally.perMinute(nowMilliseconds: nowMilliseconds) }
    }

    /// Writes what is queued (and the drop counts) and stops the writer.
    func close(timeoutSeconds: Double = 5) {
        state.withLock { $0.stopping = true }
        guard started.load(ordering: .acquiring) else { return }
        wake.signal()
        if finished.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            logger.warning("the rejection log writer did not finish in time; its last lines may be missing")
        }
    }

    private func run(_ file: RejectionLogFile) {
        var sampler = RejectionSampler(nowMilliseconds: SystemClock.nowMilliseconds())
        var batch: [RejectionEntry] = []
        batch.reserveCapacity(Self.queueCapacity)
        var overflow = Array(repeating: 0, count: RejectionCodeIndex.count)
        var overflowSamples = [RejectionEntry?](repeating: nil, count: RejectionCodeIndex.count)
        var lastFailureLogged: Int64 = 0
        var reserveFailureLogged = file.reserveFailure
        while true {
            let stopping = state.withLock { state -> Bool in
                swap(&state.queue, &batch)
                swap(&state.overflow, &overflow)
                swap(&state.overflowSamples, &overflowSamples)
                if batch.isEmpty && !state.stopping { state.writerIdle = true }
                return state.stopping
            }
            let now = SystemClock.nowMilliseconds()
            var lines: [[UInt8]] = []
            for entry in batch where sampler.admit(entry, nowMilliseconds: now) { lines.append(entry.line()) }
            for index in overflow.indices where overflow[index] > 0 {
                if let sample = overflowSamples[index] { sampler.drop(sample, count: overflow[index]) }
                overflow[index] = 0
                overflowSamples[index] = nil
            }
            lines += sampler.summaries(nowMilliseconds: now, force: stopping)
            if !lines.isEmpty, let failure = file.write(lines), now - lastFailureLogged >= 60_000 {
                lastFailureLogged = now
                logger.error("rejection log not written (receiving is not affected)", metadata: ["error": "\(failure)"])
            }
            // A rotation reserves anew: say once when that failed, and not again until it changes.
            if let failure = file.reserveFailure, failure != reserveFailureLogged {
                logger.warning("\(failure); rejections may go unrecorded if the disk fills up")
            }
            reserveFailureLogged = file.reserveFailure
            let wasEmpty = batch.isEmpty
            batch.removeAll(keepingCapacity: true)
            if stopping { return }
            if wasEmpty {
                // Idle: wait for the next rejection, or a second for the drop summaries.
                _ = wake.wait(timeout: .now() + 1)
            } else {
                usleep(Self.batchPauseMicroseconds)
            }
        }
    }
}

/// Hands the file (used by the writer thread alone) to that thread.
private final class FileBox: @unchecked Sendable {
    let file: RejectionLogFile
    init(_ file: RejectionLogFile) { self.file = file }
}
