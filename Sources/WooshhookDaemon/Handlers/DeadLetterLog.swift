import Foundation
import Journal
import SystemSupport

/// Events a handler gave up on, one JSON line each in `<journal.directory>/deadletters/<name>.jsonl`: seq, id,
/// type, attempts, the last error and when. The event itself stays in the journal (by seq) for `replay`.
struct DeadLetterLog {
    let path: String

    init(directory: String, name: String) {
        path = "\(directory)/\(name).jsonl"
    }

    func record(_ event: JournalRecord, attempts: Int, error: String) throws(HandlerFailure) {
        let line =
            "{\"seq\":\(event.seq),\"event_id\":\(JSONEscaping.quoted(event.eventID)),\"type\":\(JSONEscaping.quoted(event.type)),"
            + "\"attempts\":\(attempts),\"error\":\(JSONEscaping.quoted(error)),"
            + "\"dead_lettered_at\":\"\(RecordTime.text(SystemClock.nowMilliseconds()))\"}\n"
        // A file this call creates is a new name in the directory: durable only once the directory is synced too.
        var created = false
        var fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        if fd < 0 && errno == ENOENT {
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            created = fd >= 0
        }
        guard fd >= 0 else { throw HandlerFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw HandlerFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        guard created else { return }
        do {
            try DurableDirectory.sync((path as NSString).deletingLastPathComponent)
        } catch {
            throw HandlerFailure("cannot write \(path): \(error)")
        }
    }
}
