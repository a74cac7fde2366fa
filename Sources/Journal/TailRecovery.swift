import Foundation
import Logging

/// Start-up repair of the last segment (docs/ARCHITECTURE.md, "Torn tail at start"): a record torn by a crash, power
/// loss or full disk (no final newline, not JSON, zero bytes, a sha256 mismatch) is cut off and its bytes kept in
/// `<segment>.torn` for an operator to inspect. Never refuses to start: the worst case moves a whole damaged tail
/// aside.
enum TailRecovery {
    /// Repairs `segment` and returns the seq of its last valid record (nil when it holds none).
    static func repair(_ segment: String, logger: Logger) throws(JournalError) -> UInt64? {
        let bytes = try SegmentDirectory.read(segment)
        let (lines, tornStart) = LineScanner.lines(bytes)
        var cutAt = tornStart ?? bytes.count
        var lastSeq: UInt64?
        for line in lines.reversed() {
            if case .success(let record) = JournalRecord.decode(line: Array(bytes[line.range])) {
                lastSeq = record.seq
                break
            }
            cutAt = line.range.lowerBound
        }
        guard cutAt < bytes.count else { return lastSeq }
        let tornPath = try keep(bytes[cutAt...], beside: segment)
        let fd = open(segment, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError("open", path: segment, code: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(cutAt)) == 0, fsync(fd) == 0 else {
            throw JournalError("truncate the torn tail of", path: segment, code: errno)
        }
        logger.warning(
            "torn tail cut from journal segment \(segment): \(bytes.count - cutAt) bytes at offset \(cutAt) kept in \(tornPath)",
            metadata: [
                "segment": "\(segment)", "offset": "\(cutAt)", "bytes": "\(bytes.count - cutAt)", "torn": "\(tornPath)",
            ])
        return lastSeq
    }

    /// Writes the cut bytes to `<segment>.torn`, or `.torn.1`, `.torn.2`, … when earlier ones exist.
    private static func keep(_ torn: ArraySlice<UInt8>, beside segment: String) throws(JournalError) -> String {
        var path = "\(segment).torn"
        var attempt = 0
        while access(path, F_OK) == 0 {
            attempt += 1
            path = "\(segment).torn.\(attempt)"
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw JournalError("create", path: path, code: errno) }
        defer { close(fd) }
        try FileWriting.writeAll(fd, Array(torn), offset: 0, path: path)
        guard fsync(fd) == 0 else { throw JournalError("fsync", path: path, code: errno) }
        // Its name too, before the segment is cut back: a power loss in between must not lose the torn bytes.
        try SegmentDirectory.syncDirectory((segment as NSString).deletingLastPathComponent)
        return path
    }
}
