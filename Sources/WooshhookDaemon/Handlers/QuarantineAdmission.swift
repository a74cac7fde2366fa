import Dispatch
import Glibc
public import Journal
public import Logging
import SystemSupport

/// `replay --quarantine --handlers` while no daemon runs: the caller holds the journal lock, so this process is the
/// journal's one writer for a while and does what the daemon would. It appends each admitted event to the journal
/// (same record format, fsync policy and de-duplication, through `JournalWriter`), then runs the configured handlers
/// from their cursors until each has finished every event journaled so far, so that a later `serve` does not hand
/// them the same events again.
public enum QuarantineAdmission {
    /// What became of one admitted event.
    public enum Outcome: Sendable {
        case journaled(seq: UInt64)
        case duplicate
        case failed(String)
    }

    /// Admits `records` (read from the quarantine) into the journal at `configuration.journal.directory`, reporting
    /// each outcome in order, then runs the handlers. `lock` must be held on that directory.
    public static func admit(
        _ records: [JournalRecord], configuration: Configuration, lock: JournalLock, logger: Logger,
        report: (JournalRecord, Outcome) -> Void
    ) throws(DaemonError) {
        let directory = lock.directory
        let journal: JournalWriter
        do {
            journal = try JournalWriter.open(
                configuration.journalConfiguration(
                    directory: directory, dedupeWindowHours: configuration.dedupeWindowHours),
                logger: logger)
        } catch {
            throw DaemonError("cannot open the journal: \(error)")
        }
        defer { journal.close() }
        // Started before the appends, as in the daemon: a handler configured for the first time starts at the
        // journal's end as it is now, so it takes the admitted events too.
        let handlers = HandlerPipeline(journalDirectory: directory, journalHead: { journal.lastSeq }, logger: logger)
        do {
            try handlers.start(configuration.handlers)
        } catch {
            throw DaemonError("cannot start the handlers: \(error)", exitCode: 78)
        }
        defer { handlers.stop() }
        for record in records {
            let pending = PendingRecord(
                receivedAtMilliseconds: SystemClock.nowMilliseconds(), eventID: record.eventID, type: record.type,
                livemode: record.livemode, created: record.created, remoteAddr: record.remoteAddr ?? "",
                signatureT: record.signatureT ?? "", body: record.body)
            switch appendAndWait(pending, to: journal) {
            case .appended(let seq):
                handlers.notify()
                report(record, .journaled(seq: seq))
            case .duplicate: report(record, .duplicate)
            case .failed(let error): report(record, .failed("\(error)"))
            }
        }
        handlers.waitUntilHandled(through: journal.lastSeq)
    }

    /// One append, waited for: an operator's command has no reason to batch.
    private static func appendAndWait(_ record: PendingRecord, to journal: JournalWriter) -> AppendOutcome {
        let settled = Settled()
        journal.append(record) { outcome in
            settled.outcome = outcome
            settled.semaphore.signal()
        }
        settled.semaphore.wait()
        return settled.outcome
    }

    // @unchecked: `outcome` is written once before `semaphore` is signalled and read only after the wait.
    private final class Settled: @unchecked Sendable {
        var outcome = AppendOutcome.failed(JournalError("append to", path: "the journal", code: EIO))
        let semaphore = DispatchSemaphore(value: 0)
    }
}
