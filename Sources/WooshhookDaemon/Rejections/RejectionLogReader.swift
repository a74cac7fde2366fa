import Foundation

/// Reads the rejection log (`rejections.1.jsonl`, then `rejections.jsonl`) without any lock: the writer only
/// appends whole lines and renames, so a reader sees whole lines, at worst one torn by a crash, which is skipped.
public struct RejectionLogReader: Sendable {
    public let directory: String

    public init(journalDirectory: String) {
        directory = "\(journalDirectory)/rejections"
    }

    var currentPath: String { "\(directory)/\(RejectionLogFile.currentName)" }
    var previousPath: String { "\(directory)/\(RejectionLogFile.previousName)" }

    /// Every record, oldest first (the log is bounded by `rejections.max_bytes`, so this is too).
    public func allRecords() -> [RejectionRecord] {
        [previousPath, currentPath].flatMap { path -> [RejectionRecord] in
            guard let data = FileManager.default.contents(atPath: path) else { return [] }
            return Self.lines(of: [UInt8](data)).compactMap(RejectionRecord.decode)
        }
    }

    /// The newest `count` records, oldest first, reading at most `tailBytes` from the end of each file: cheap enough
    /// to run on every status page request.
    public func lastRecords(_ count: Int, tailBytes: Int = 65_536) -> [RejectionRecord] {
        var collected: [RejectionRecord] = []
        for path in [currentPath, previousPath] where collected.count < count {
            let records = Self.tail(of: path, bytes: tailBytes).compactMap(RejectionRecord.decode)
            collected = records.suffix(count - collected.count) + collected
        }
        return collected
    }

    /// The whole lines within the last `bytes` of the file (the first, probably cut, is left out unless the read
    /// began at the file's start).
    static func tail(of path: String, bytes: Int) -> [[UInt8]] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return [] }
        let size = Int(status.st_size)
        let start = max(0, size - bytes)
        var buffer = [UInt8](repeating: 0, count: size - start)
        let read = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
        guard read > 0 else { return [] }
        var lines = Self.lines(of: Array(buffer[..<read]))
        if start > 0, !lines.isEmpty { lines.removeFirst() }
        return lines
    }

    /// The newline-terminated lines of `bytes` (a last line without its newline is still being written: left out).
    static func lines(of bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            if index > start { lines.append(Array(bytes[start..<index])) }
            start = index + 1
        }
        return lines
    }
}
