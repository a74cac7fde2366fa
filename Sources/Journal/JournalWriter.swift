import Foundation
public import Logging
import Metrics
import Synchronization
import SystemSupport

/// The group-commit writer of one journal directory, after Redis's AOF: callers enqueue without blocking;
/// one writer thread takes everything queued as a batch, gives it consecutive seqs, writes it with one `pwrite` and,
/// for `fsync: always`, makes it durable with one `fdatasync` before completing every append of the batch. Appends
/// arriving meanwhile form the next batch, so throughput grows with concurrency instead of being one per fsync.
///
/// With `fsync: interval` or `never` nothing waits for the disk, and the hand-off itself is what costs: a thread
/// switch and a wake-up each way for every batch. There the event loop that staged an iteration's records writes
/// them itself when it releases them (`releaseStaged`), under `fileLock`, and the writer thread only syncs on the
/// interval, runs the hourly maintenance and takes plain `append`s.
///
/// A failed write or sync is cut back (`ftruncate`) so no partial record stays, the whole batch fails, its seqs are
/// reused by the next batch, and every later batch simply tries again: the journal recovers by itself once the disk
/// has room again.
public final class JournalWriter: @unchecked Sendable {
    /// A queued append: the record and what to call with its outcome.
    typealias Waiting = (PendingRecord, @Sendable (AppendOutcome) -> Void)

    // Guarded by `condition`.
    let condition = NSCondition()
    var queue: [Waiting] = []
    var closing = false
    var closed = false

    let configuration: JournalConfiguration
    let logger: Logger
    let system: JournalSystem
    /// Whoever releases staged records writes them (see the type's comment): every policy but `always`.
    let commitsInline: Bool

    // Guarded by `fileLock` (and used by `open` before any thread starts). `condition` may be taken while holding
    // it, never the other way round.
    let fileLock = NSLock()
    var fd: Int32 = -1
    var segmentPath = ""
    var segmentOffset = 0
    /// How far the writer has reserved, or tried to reserve, the current segment's blocks (`reserveBlocks`): no
    /// call is made again before the writes pass it. Never less than `segmentOffset`.
    var allocatedThrough = 0
    var nextSeq: UInt64 = 1
    var dedupe: DedupeIndex
    var lastSyncNanoseconds: UInt64 = 0
    /// Bytes written since the journal was opened, across segments: a sync covers what was written before it began.
    var writtenBytes = 0
    var preallocationFailureLogged = false
    /// The file is closed for good (`close`); batches released after that fail.
    var fileClosed = false
    /// Uptime nanoseconds by which written bytes must be synced under `fsync: interval`; 0 when all are synced.
    /// Atomic so that the writer thread can choose how long to sleep without taking `fileLock`.
    let syncDue = Atomic<UInt64>(0)

    // Writer thread only.
    var lastMaintenance: Int64 = 0
    let finished = DispatchSemaphore(value: 0)

    let writable = Atomic<Bool>(true)
    let appendedThrough = Atomic<UInt64>(0)
    let batches = Atomic<Int>(0)

    let recordsCounter: Counter
    let batchesCounter: Counter
    let writeErrorsCounter: Counter
    let fsyncTimer: Metrics.Timer

    /// False after a failed write or sync, until a later batch succeeds.
    public var isWritable: Bool { writable.load(ordering: .relaxed) }
    /// The seq of the newest record on disk (0 for an empty journal).
    public var lastSeq: UInt64 { appendedThrough.load(ordering: .acquiring) }
    /// How many batches were written: fewer than records when group commit works.
    public var batchCount: Int { batches.load(ordering: .relaxed) }

    private init(_ configuration: JournalConfiguration, dedupe: Bool, logger: Logger, system: JournalSystem) {
        self.configuration = configuration
        self.logger = logger
        self.system = system
        commitsInline = configuration.fsync != .always
        self.dedupe = DedupeIndex(windowHours: dedupe ? configuration.dedupeWindowHours : 0)
        let name = (configuration.directory as NSString).lastPathComponent == "quarantine" ? "quarantine" : "journal"
        let dimensions = [("journal", name)]
        recordsCounter = Counter(label: "wooshhook_journal_records_total", dimensions: dimensions)
        batchesCounter = Counter(label: "wooshhook_journal_batches_total", dimensions: dimensions)
        writeErrorsCounter = Counter(label: "wooshhook_journal_write_errors_total", dimensions: dimensions)
        fsyncTimer = Metrics.Timer(label: "wooshhook_journal_fsync_seconds", dimensions: dimensions)
    }

    /// Creates the directory, repairs a torn tail, applies retention, rebuilds the dedupe index (when `dedupe`) and
    /// starts the writer thread.
    public static func open(
        _ configuration: JournalConfiguration, dedupe: Bool = true, logger: Logger
    ) throws(JournalError) -> JournalWriter {
        try open(configuration, dedupe: dedupe, logger: logger, system: .live)
    }

    /// `open` with the system calls and clocks of a test.
    static func open(
        _ configuration: JournalConfiguration, dedupe: Bool, logger: Logger, system: JournalSystem
    ) throws(JournalError) -> JournalWriter {
        let writer = JournalWriter(configuration, dedupe: dedupe, logger: logger, system: system)
        try writer.recover()
        let thread = Thread { writer.run() }
        thread.name = "journal-writer"
        thread.start()
        return writer
    }

    /// Enqueues `record` and returns at once; `completion` runs on the writer thread once the record is durable
    /// (per the fsync policy), found to be a duplicate, or failed.
    public func append(_ record: PendingRecord, completion: @escaping @Sendable (AppendOutcome) -> Void) {
        enqueue(record, completion: completion, wakingWriter: true)
    }

    /// Like `append`, but leaves the writer asleep until `releaseStaged()`: an event loop stages every record of one
    /// iteration and wakes the writer once at its end, so they become one batch for one thread switch (one at a time,
    /// a busy loop and the writer woke each other for every second record). The caller must call `releaseStaged()`
    /// soon after, on every path; a writer already awake takes staged records with its next batch anyway.
    public func stage(_ record: PendingRecord, completion: @escaping @Sendable (AppendOutcome) -> Void) {
        enqueue(record, completion: completion, wakingWriter: false)
    }

    /// Passes on everything queued: writes it on the calling thread when the journal commits inline (running the
    /// completions there too), otherwise wakes the writer.
    public func releaseStaged() {
        condition.lock()
        guard !queue.isEmpty else { return condition.unlock() }
        guard commitsInline else {
            condition.signal()
            return condition.unlock()
        }
        var batch: [Waiting] = []
        swap(&batch, &queue)
        condition.unlock()
        writeLocked(batch)
    }

    private func enqueue(
        _ record: PendingRecord, completion: @escaping @Sendable (AppendOutcome) -> Void, wakingWriter: Bool
    ) {
        var record = record
        // With `always`, the writer's cycle of write and fdatasync is what limits throughput: keep the line's
        // hashing and escaping off it (see PendingRecord).
        if configuration.fsync == .always { record.prepare() }
        condition.lock()
        if closing {
            condition.unlock()
            completion(
                .failed(
                    JournalError(
                        "append to", path: configuration.directory, code: ESHUTDOWN,
                        hint: "the journal is closed because the daemon is stopping")))
            return
        }
        queue.append((record, completion))
        if wakingWriter { condition.signal() }
        condition.unlock()
    }

    /// Writes and syncs whatever is queued, stops the thread and closes the segment. Idempotent; blocks until done.
    public func close() {
        condition.lock()
        let first = !closing
        closing = true
        condition.signal()
        condition.unlock()
        if first {
            finished.wait()
            condition.lock()
            closed = true
            condition.unlock()
        } else {
            condition.lock()
            while !closed { _ = condition.wait(until: Date().addingTimeInterval(0.05)) }
            condition.unlock()
        }
    }

    // MARK: - Start-up

    private func recover() throws(JournalError) {
        try SegmentDirectory.create(configuration.directory)
        var segments = try SegmentDirectory.segmentPaths(in: configuration.directory)
        if let last = segments.last {
            let lastValid = try TailRecovery.repair(last, logger: logger)
            nextSeq =
                lastValid.map { $0 + 1 } ?? SegmentDirectory.firstSeq(ofFileName: (last as NSString).lastPathComponent)
                ?? 1
            try openSegment(last)
            // A reserve a crash left past the last record goes back; the next batch reserves again.
            DiskSpace.releaseReserve(fd, size: segmentOffset)
        }
        appendedThrough.store(nextSeq - 1, ordering: .releasing)
        let now = system.wallClockSeconds()
        segments = try applyRetention(segments, nowSeconds: now)
        if dedupe.isEnabled { try rebuildDedupe(segments, nowSeconds: now) }
        lastMaintenance = now
    }

    func openSegment(_ path: String) throws(JournalError) {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw JournalError(
                "open", path: path, code: errno, hint: "check the owner and mode of the journal directory")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw JournalError("stat", path: path, code: code)
        }
        if fd >= 0 {
            releaseUnusedBlocks()
            Glibc.close(fd)
        }
        fd = descriptor
        segmentPath = path
        segmentOffset = Int(info.st_size)
        allocatedThrough = segmentOffset
    }

    func rebuildDedupe(_ segments: [String], nowSeconds: Int64) throws(JournalError) {
        var ids = 0
        for segment in segments.reversed() {
            var oldest = Int64.max
            do {
                try MappedSegment.forEachLine(of: segment) { line, _, _ in
                    guard let prefix = RecordPrefix.read(line) else { return }
                    oldest = min(oldest, prefix.receivedAtSeconds)
                    if nowSeconds - prefix.receivedAtSeconds < dedupe.windowSeconds {
                        dedupe.insert(prefix.fingerprint, seconds: prefix.receivedAtSeconds)
                        ids += 1
                    }
                }
            } catch let error as JournalError {
                throw error
            } catch {
                throw JournalError("read", path: segment, code: EIO)
            }
            if nowSeconds - oldest >= dedupe.windowSeconds { break }
        }
        logger.info(
            "dedupe index rebuilt",
            metadata: [
                "journal": "\(configuration.directory)", "ids": "\(ids)",
                "window_hours": "\(configuration.dedupeWindowHours)",
            ])
    }

    /// Deletes whole segments whose newest record is older than the retention, never the current one.
    func applyRetention(_ segments: [String], nowSeconds: Int64) throws(JournalError) -> [String] {
        guard configuration.retentionDays > 0, segments.count > 1 else { return segments }
        let limit = Int64(configuration.retentionDays) * 86_400
        var kept: [String] = []
        for (index, segment) in segments.enumerated() {
            guard index < segments.count - 1, segment != segmentPath,
                let newest = try SegmentReading.lastRecord(of: segment)?.receivedAtSeconds,
                nowSeconds - newest >= limit
            else {
                kept.append(segment)
                continue
            }
            if unlink(segment) == 0 {
                logger.info(
                    "journal segment deleted by retention",
                    metadata: [
                        "segment": "\(segment)", "retention_days": "\(configuration.retentionDays)",
                    ])
            } else {
                logger.error("cannot delete \(segment) for retention: \(String(cString: strerror(errno)))")
                kept.append(segment)
            }
        }
        if kept.count != segments.count { try? SegmentDirectory.syncDirectory(configuration.directory) }
        return kept
    }
}
