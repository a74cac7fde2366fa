import Foundation
import SystemSupport

extension JournalWriter {
    /// The writer thread: one batch per turn, then the interval sync and hourly maintenance when due.
    func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closing {
                if !system.waitForWork(condition, wakeDeadline()) { break }
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let stopping = closing && batch.isEmpty
            condition.unlock()

            if stopping { break }
            if !batch.isEmpty { writeLocked(batch) }
            if let due = syncDueNanoseconds, due <= system.uptimeNanoseconds() { syncInterval() }
            maintainHourly()
        }
        fileLock.lock()
        // The last sync under the lock: nothing can be written between it and the close.
        if fd >= 0 {
            if syncDueNanoseconds != nil, system.dataSync(fd) != 0 {
                logger.error(
                    "journal fsync failed at close: \(String(cString: strerror(errno)))",
                    metadata: ["segment": "\(segmentPath)"])
            }
            releaseUnusedBlocks()
            Glibc.close(fd)
            fd = -1
        }
        fileClosed = true
        fileLock.unlock()
        finished.signal()
    }

    /// When unsynced bytes written under `fsync: interval` must be synced; nil when nothing is due.
    private var syncDueNanoseconds: UInt64? {
        guard case .interval = configuration.fsync else { return nil }
        let due = syncDue.load(ordering: .acquiring)
        return due == 0 ? nil : due
    }

    /// The writer sleeps until the interval sync is due, or the hourly maintenance: with inline commits nothing
    /// else may wake it for a long time.
    private func wakeDeadline() -> Date {
        var seconds = Double(Swift.max(0, lastMaintenance + 3600 - system.wallClockSeconds()))
        if let due = syncDueNanoseconds {
            let now = system.uptimeNanoseconds()
            seconds = Swift.min(seconds, due > now ? Double(due - now) / 1e9 : 0)
        }
        return Date().addingTimeInterval(seconds)
    }

    /// Writes a batch under `fileLock` (any thread) and then, outside it, completes every append of it.
    func writeLocked(_ batch: [Waiting]) {
        fileLock.lock()
        let outcomes: [AppendOutcome]
        if fileClosed {
            let error = JournalError(
                "append to", path: configuration.directory, code: ESHUTDOWN,
                hint: "the journal is closed because the daemon is stopping")
            outcomes = Array(repeating: .failed(error), count: batch.count)
        } else {
            outcomes = write(batch)
        }
        fileLock.unlock()
        for (index, (_, completion)) in batch.enumerated() { completion(outcomes[index]) }
    }

    /// Under `fileLock`.
    private func write(_ batch: [Waiting]) -> [AppendOutcome] {
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        var buffer: [UInt8] = []
        // Escaping asks for room for the worst case of the body at hand; leave that much spare, so the batch is
        // not copied to a larger buffer near its end.
        var lines = 0
        var largestBody = 0
        for (record, _) in batch {
            lines += record.estimatedLineLength
            largestBody = Swift.max(largestBody, record.body.count)
        }
        buffer.reserveCapacity(lines + 5 * largestBody)
        var inBatch: [EventFingerprint: Int] = [:]
        var originals: [Int?] = []
        var fingerprints: [EventFingerprint] = []
        var seq = nextSeq
        for (index, (record, _)) in batch.enumerated() {
            let seconds = record.receivedAtMilliseconds / 1000
            if dedupe.isEnabled {
                let fingerprint = record.fingerprint
                fingerprints.append(fingerprint)
                if let original = inBatch[fingerprint] {
                    originals.append(original)
                    outcomes.append(.duplicate)
                    continue
                }
                if dedupe.contains(fingerprint, nowSeconds: seconds) {
                    originals.append(nil)
                    outcomes.append(.duplicate)
                    continue
                }
                inBatch[fingerprint] = index
            }
            originals.append(nil)
            record.appendLine(seq: seq, to: &buffer)
            outcomes.append(.appended(seq: seq))
            seq += 1
        }
        if !buffer.isEmpty {
            do throws(JournalError) {
                try commit(buffer)
                let appended = Int64(seq - nextSeq)
                nextSeq = seq
                appendedThrough.store(seq - 1, ordering: .releasing)
                for (index, (record, _)) in batch.enumerated() where dedupe.isEnabled {
                    if case .appended = outcomes[index] {
                        dedupe.insert(fingerprints[index], seconds: record.receivedAtMilliseconds / 1000)
                    }
                }
                recordsCounter.increment(by: appended)
                batchesCounter.increment()
                batches.add(1, ordering: .relaxed)
                if !writable.exchange(true, ordering: .relaxed) {
                    logger.notice("journal writable again", metadata: ["segment": "\(segmentPath)"])
                }
            } catch {
                writeErrorsCounter.increment()
                if writable.exchange(false, ordering: .relaxed) {
                    logger.error("journal write failed: \(error)", metadata: ["segment": "\(segmentPath)"])
                }
                for index in outcomes.indices where outcomes[index] != .duplicate || originals[index] != nil {
                    outcomes[index] = .failed(error)
                }
            }
        }
        return outcomes
    }

    /// Writes one batch at the end of the current segment (rolling first when it is full) and syncs it per policy;
    /// on failure the segment is cut back to where the batch began.
    private func commit(_ buffer: [UInt8]) throws(JournalError) {
        if fd < 0 || segmentOffset >= configuration.segmentBytes { try roll() }
        let start = segmentOffset
        reserveBlocks(through: start + buffer.count)
        do throws(JournalError) {
            try system.writeAll(fd, buffer, start, segmentPath)
            if configuration.fsync == .always {
                let began = system.uptimeNanoseconds()
                guard system.dataSync(fd) == 0 else {
                    throw JournalError("fsync", path: segmentPath, code: errno, hint: "check the disk (dmesg)")
                }
                fsyncTimer.recordNanoseconds(Int64(system.uptimeNanoseconds() - began))
            } else if case .interval(let milliseconds) = configuration.fsync, syncDue.load(ordering: .relaxed) == 0 {
                let due = Swift.max(
                    system.uptimeNanoseconds(),
                    lastSyncNanoseconds + UInt64(Swift.max(1, milliseconds)) * 1_000_000)
                syncDue.store(due, ordering: .releasing)
                // A writer thread asleep without a deadline must learn of it (inline commits never wake it).
                if commitsInline {
                    condition.lock()
                    condition.signal()
                    condition.unlock()
                }
            }
            segmentOffset = start + buffer.count
            writtenBytes += buffer.count
        } catch {
            if ftruncate(fd, off_t(start)) != 0 || system.dataSync(fd) != 0 {
                logger.critical(
                    "cannot cut a failed batch back from \(segmentPath): \(String(cString: strerror(errno)))")
            }
            // The cut gave back the blocks reserved past it, too.
            allocatedThrough = start
            throw error
        }
    }

    /// Allocates the segment's blocks ahead of the writes, in steps of `blockReservation` bytes, without changing
    /// its size. An `fdatasync` after appending to a growing file also commits the allocation of the new blocks;
    /// when they were allocated earlier it commits less (`Benchmarks/fsync-layouts` on this project's ext4 disk,
    /// 4–16 KiB appends: p50 12–36 % and p99 20–50 % lower; inside the daemon, where most of a sync is the disk's
    /// flush, the gain was within the noise: BENCHMARKS.md). It costs up to one step of `du` per active segment.
    /// A file zero-filled in advance would halve the p50, but its zeros would be visible after the last record,
    /// and a segment must end at its last whole line. Here readers see nothing: the size, and so every reader,
    /// `tail -f` and `journal verify`, still ends at the last record. Where the file system has no such call, or no
    /// room for a whole step, the writes go on as before: this is an optimisation only.
    private func reserveBlocks(through end: Int) {
        guard end > allocatedThrough else { return }
        let target = Swift.max(end, Swift.min(allocatedThrough + Self.blockReservation, configuration.segmentBytes))
        let error = system.preallocate(fd, allocatedThrough, target - allocatedThrough)
        // Failed or not, do not ask again before the writes pass this step: one call per step at most.
        allocatedThrough = target
        // ext4 and XFS keep what a failed call did allocate: on a nearly full disk that would hold blocks nothing
        // writes, which the cursors and dead letters beside the journal may need.
        if error != 0 { DiskSpace.releaseReserve(fd, size: segmentOffset) }
        if error != 0 && !preallocationFailureLogged {
            preallocationFailureLogged = true
            logger.debug(
                "journal blocks not preallocated: \(String(cString: strerror(error)))",
                metadata: ["segment": "\(segmentPath)"])
        }
    }

    /// Gives back the blocks reserved past the last record (truncating to the size it already has), so that a
    /// finished segment takes no more room on disk than its records.
    func releaseUnusedBlocks() {
        guard allocatedThrough > segmentOffset else { return }
        DiskSpace.releaseReserve(fd, size: segmentOffset)
        allocatedThrough = segmentOffset
    }

    static let blockReservation = 4 << 20

    /// Starts the segment named by the next seq; its creation is made durable by syncing the directory.
    private func roll() throws(JournalError) {
        if fd >= 0 && syncDueNanoseconds != nil {
            guard system.dataSync(fd) == 0 else { throw JournalError("fsync", path: segmentPath, code: errno) }
            syncDue.store(0, ordering: .releasing)
        }
        let path = "\(configuration.directory)/\(SegmentDirectory.fileName(firstSeq: nextSeq))"
        try openSegment(path)
        if configuration.fsync != .never {
            guard fsync(fd) == 0 else { throw JournalError("fsync", path: path, code: errno) }
            try SegmentDirectory.syncDirectory(configuration.directory)
        }
        logger.info("journal segment started", metadata: ["segment": "\(path)", "first_seq": "\(nextSeq)"])
    }

    /// Syncs what was written so far without holding `fileLock` through the sync, so that inline commits go on
    /// meanwhile: the sync runs on a duplicate of the descriptor (a roll may close the original; it syncs first).
    private func syncInterval() {
        fileLock.lock()
        guard fd >= 0 else { return fileLock.unlock() }
        let descriptor = dup(fd)
        let path = segmentPath
        let writtenBefore = writtenBytes
        lastSyncNanoseconds = system.uptimeNanoseconds()
        fileLock.unlock()
        let synced = descriptor >= 0 && system.dataSync(descriptor) == 0
        let code = errno
        if descriptor >= 0 { Glibc.close(descriptor) }
        fileLock.lock()
        if synced && writtenBytes == writtenBefore {
            syncDue.store(0, ordering: .releasing)
        } else if case .interval(let milliseconds) = configuration.fsync {
            // Bytes written during the sync, or a failed sync, are due one interval after it began (not at once:
            // a failing disk must not turn this thread into a loop of syncs and log lines).
            syncDue.store(lastSyncNanoseconds + UInt64(Swift.max(1, milliseconds)) * 1_000_000, ordering: .releasing)
        }
        fileLock.unlock()
        if !synced {
            writeErrorsCounter.increment()
            logger.error("journal fsync failed: \(String(cString: strerror(code)))", metadata: ["segment": "\(path)"])
        }
    }

    /// Retention and the dedupe sweep, at most hourly, between batches.
    private func maintainHourly() {
        let now = system.wallClockSeconds()
        guard now - lastMaintenance >= 3600 else { return }
        lastMaintenance = now
        fileLock.lock()
        defer { fileLock.unlock() }
        if dedupe.isEnabled { dedupe.sweep(nowSeconds: now) }
        do {
            _ = try applyRetention(try SegmentDirectory.segmentPaths(in: configuration.directory), nowSeconds: now)
        } catch {
            logger.error("journal retention failed: \(error)")
        }
    }
}
