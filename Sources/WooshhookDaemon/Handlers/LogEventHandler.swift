import Journal
import Logging

/// `kind: log`: one human line per event in the daemon's log, as `tail` prints it.
struct LogEventHandler: EventHandler {
    let logger: Logger

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        logger.info("event \(RecordLine.human(record))", metadata: ["seq": "\(record.seq)"])
    }
}
