import Foundation

/// A handler's position in the journal: the seq of the last event it finished (handled or dead-lettered), in
/// `<journal.directory>/cursors/<name>`. Saved by write-to-temporary + fsync + rename + fsync of the directory, so
/// a crash leaves the old or the new value, never a torn one, and a saved value is not lost to a power cut (the
/// rename alone is not durable: a first cursor would be missing, and the handler would start at the journal's end).
struct HandlerCursor {
    let path: String
    private let directory: String

    init(directory: String, name: String) {
        self.directory = directory
        path = "\(directory)/\(name)"
    }

    /// The saved seq, or nil when the handler has never run.
    func load() throws(HandlerSetupError) -> UInt64? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let seq = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw HandlerSetupError(
                "cursor \(path) is not a seq number; fix or delete it (deleting starts at the journal's end)")
        }
        return seq
    }

    func save(_ seq: UInt64) throws(HandlerFailure) {
        let temporary = path + ".tmp"
        let bytes = Array("\(seq)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw HandlerFailure("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            throw HandlerFailure("cannot save cursor \(path): \(String(cString: strerror(errno)))")
        }
        do {
            try DurableDirectory.sync(directory)
        } catch {
            throw HandlerFailure("cannot save cursor \(path): \(error)")
        }
    }
}
