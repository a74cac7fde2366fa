import Foundation
import Logging

@testable import Journal

/// A journal directory in the system's temporary directory, removed by `cleanUp`, plus helpers to write records.
final class TemporaryJournal {
    let directory: String
    let logs = CapturedLogs()

    init() throws {
        directory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("journal-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var logger: Logger {
        let logs = self.logs
        var logger = Logger(label: "test") { _ in CapturedLogHandler(logs: logs) }
        logger.logLevel = .debug
        return logger
    }

    func open(
        fsync: FsyncPolicy = .always, segmentBytes: Int = 67_108_864, retentionDays: Int = 0,
        dedupeWindowHours: Int = 96, dedupe: Bool = true, probe: WriterProbe? = nil
    ) throws -> JournalWriter {
        try JournalWriter.open(
            JournalConfiguration(
                directory: directory, fsync: fsync, segmentBytes: segmentBytes,
                retentionDays: retentionDays, dedupeWindowHours: dedupeWindowHours),
            dedupe: dedupe, logger: logger, system: probe?.system ?? .live)
    }

    func segments() throws -> [String] { try JournalReader(directory: directory).segmentPaths }

    func records() throws -> [JournalRecord] {
        var records: [JournalRecord] = []
        try JournalReader(directory: directory).forEachRecord { result in
            if case .success(let record) = result { records.append(record) }
        }
        return records
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Appends and waits for the outcome.
func appendAndWait(_ writer: JournalWriter, _ record: PendingRecord) -> AppendOutcome {
    let box = OutcomeBox()
    writer.append(record) { box.set($0) }
    return box.wait()
}

func record(
    _ id: String, body: String = "{\"id\":\"evt\"}", receivedAt: Int64 = Int64(Date().timeIntervalSince1970 * 1000),
    reason: String? = nil
) -> PendingRecord {
    PendingRecord(
        receivedAtMilliseconds: receivedAt, eventID: id, type: "payment_intent.succeeded", livemode: true,
        created: 1_732_168_214, remoteAddr: "203.0.113.5", signatureT: "1732168215", body: Array(body.utf8),
        reason: reason)
}

final class OutcomeBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var outcome: AppendOutcome?

    func set(_ value: AppendOutcome) {
        condition.lock()
        outcome = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> AppendOutcome {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        return outcome ?? .duplicate
    }
}

final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

struct CapturedLogHandler: LogHandler {
    let logs: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        logs.append("\(event.level) \(event.message) \(fields)")
    }
}
