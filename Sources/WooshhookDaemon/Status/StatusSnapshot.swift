import Foundation
import Journal
import SystemSupport
import WooshPay

/// Everything the status page shows, gathered on request. Cheap by construction: the newest events are read
/// backwards from the end of the last segment, the newest rejections from the last 64 KiB of the log, the counts by
/// code come from memory, and the rest is a directory listing and a few small files.
struct StatusSnapshot {
    struct EventRow {
        let seq: UInt64
        let receivedAt: String
        let type: String
        let eventID: String
        let objectID: String?
        let amount: Int64?
        let currency: String?
        /// The amount by its currency's exponent, "42.50 USD".
        let amountText: String?
        let status: String?
    }

    struct HandlerRow {
        let name: String
        let kind: String
        let cursor: UInt64?
        let lag: UInt64?
        let lastError: String?
        let lastErrorAt: String?
        let failingAttempts: Int
        let deadLetters: Int
    }

    struct JournalRow {
        let directory: String
        let segments: Int
        let bytes: Int
        let lastSeq: UInt64
        let fsync: String
        let writable: Bool
        let fsyncCount: Int
        /// Mean fsync time since start; nil before the first one.
        let fsyncMeanSeconds: Double?
    }

    static let eventCount = 8
    static let rejectionCount = 8

    let generatedAt: String
    let health: String
    let events: [EventRow]
    let damagedEventLines: Int
    let rejectionsByCode: [(code: RejectionCode, count: Int)]
    let rejectionsPerMinute: [Int]
    let recentRejections: [RejectionRecord]
    let handlers: [HandlerRow]
    let journal: JournalRow

    static func collect(_ sources: StatusSources) -> StatusSnapshot {
        let now = SystemClock.nowMilliseconds()
        var damaged = 0
        let records =
            (try? JournalReader(directory: sources.journalDirectory))
            .flatMap { try? $0.lastRecords(eventCount, damaged: { _ in damaged += 1 }) } ?? []
        let lastSeq = sources.journal.lastSeq
        let byCode = sources.rejections.lastHour(nowMilliseconds: now)
        return StatusSnapshot(
            generatedAt: RecordTime.text(now),
            health: sources.health(),
            events: records.reversed().map(eventRow),
            damagedEventLines: damaged,
            rejectionsByCode: RejectionCode.allCases.map { ($0, byCode[$0] ?? 0) },
            rejectionsPerMinute: sources.rejections.perMinute(nowMilliseconds: now),
            recentRejections: RejectionLogReader(journalDirectory: sources.journalDirectory)
                .lastRecords(rejectionCount).reversed(),
            handlers: HandlerStatusBoard.shared.running.map {
                handlerRow($0, journalDirectory: sources.journalDirectory, lastSeq: lastSeq)
            },
            journal: journalRow(sources, lastSeq: lastSeq))
    }

    private static func eventRow(_ record: JournalRecord) -> EventRow {
        let summary = (try? Event.decode(record.body))?.summary
        let amountText: String? =
            if let amount = summary?.amount, let currency = summary?.currency {
                CurrencyFormatter.format(minorUnits: amount, currency: currency)
            } else { nil }
        return EventRow(
            seq: record.seq, receivedAt: record.receivedAt, type: record.type, eventID: record.eventID,
            objectID: summary?.objectID, amount: summary?.amount, currency: summary?.currency, amountText: amountText,
            status: summary?.status)
    }

    private static func handlerRow(
        _ entry: HandlerStatusBoard.Entry, journalDirectory: String, lastSeq: UInt64
    ) -> HandlerRow {
        let cursorText = try? String(contentsOfFile: "\(journalDirectory)/cursors/\(entry.name)", encoding: .utf8)
        let cursor = cursorText.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let deadLetterPath = "\(journalDirectory)/deadletters/\(entry.name).jsonl"
        var lastError = entry.lastError
        var lastErrorAt = entry.lastErrorMilliseconds.map(RecordTime.text)
        if lastError == nil,
            let line = RejectionLogReader.tail(of: deadLetterPath, bytes: 16_384).last,
            let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        {
            // From before this start: the newest dead letter says what failed last.
            lastError = object["error"] as? String
            lastErrorAt = object["dead_lettered_at"] as? String
        }
        return HandlerRow(
            name: entry.name, kind: entry.kind, cursor: cursor,
            lag: cursor.map { lastSeq > $0 ? lastSeq - $0 : 0 }, lastError: lastError, lastErrorAt: lastErrorAt,
            failingAttempts: entry.failingAttempts, deadLetters: countLines(deadLetterPath))
    }

    private static func journalRow(_ sources: StatusSources, lastSeq: UInt64) -> JournalRow {
        let segments = (try? JournalReader(directory: sources.journalDirectory).segmentPaths) ?? []
        var bytes = 0
        for path in segments {
            var status = stat()
            if stat(path, &status) == 0 { bytes += Int(status.st_size) }
        }
        let fsync = fsyncLatency(sources.metrics.render())
        return JournalRow(
            directory: sources.journalDirectory, segments: segments.count, bytes: bytes, lastSeq: lastSeq,
            fsync: sources.fsyncPolicy, writable: sources.journal.isWritable, fsyncCount: fsync.count,
            fsyncMeanSeconds: fsync.count > 0 ? fsync.sum / Double(fsync.count) : nil)
    }

    /// The journal's fsync count and total time, from the metrics the writer keeps (the quarantine's excluded).
    static func fsyncLatency(_ exposition: [UInt8]) -> (count: Int, sum: Double) {
        var count = 0
        var sum = 0.0
        let text = String(decoding: exposition, as: UTF8.self)
        for line in text.split(separator: "\n")
        where line.hasPrefix("wooshhook_journal_fsync_seconds_")
            && line.contains("journal=\"journal\"")
        {
            guard let value = line.split(separator: " ").last else { continue }
            if line.hasPrefix("wooshhook_journal_fsync_seconds_count") { count = Int(Double(value) ?? 0) }
            if line.hasPrefix("wooshhook_journal_fsync_seconds_sum") { sum = Double(value) ?? 0 }
        }
        return (count, sum)
    }

    private static func countLines(_ path: String) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var lines = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return lines }
            lines += chunk[..<count].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
    }
}
