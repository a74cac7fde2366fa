import Foundation
import Journal

/// Events a handler gave up on, one JSON line each in `<journal.directory>/deadletters/<name>.jsonl`: seq, id,
/// type, attempts, the last error and when. The event itself stays in the journal (by seq) for `replay`.
struct DeadLetterLog {
    let path: String

    init(directory: String, name: String) {
        path = "\(directory)/\(name).jsonl"
    }

    func record(_ event: JournalRecord, attempts: Int, error: String) throws(HandlerFailure) {
        let line = "{\"seq\":\(event.seq),\"event_id\":\(JSONEscaping.quoted(event.eventID)),\"type\":\(JSONEscaping.quoted(event.type)),"
            + "\"attempts\":\(attempts),\"error\":\(JSONEscaping.quoted(error)),"
            + "\"dead_lettered_at\":\"\(Timestamp.rfc3339Milliseconds(Timestamp.nowMilliseconds()))\"}\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw HandlerFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw HandlerFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
