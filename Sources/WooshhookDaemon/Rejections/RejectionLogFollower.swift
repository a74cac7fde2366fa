import Foundation

/// Follows the rejection log for `rejections -f`: reads what was appended since the last poll and, when the writer
/// has rotated (the current file is a new inode), finishes the old file through its open descriptor, then goes on
/// with the new one from its start.
public final class RejectionLogFollower {
    private let path: String
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var partial: [UInt8] = []

    /// Starts at the current end: only lines written from now on are returned.
    public init(reader: RejectionLogReader) {
        path = reader.currentPath
        if openCurrent() { lseek(fd, 0, SEEK_END) }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The records appended since the last call, oldest first.
    public func poll() -> [RejectionRecord] {
        var bytes: [UInt8] = []
        if fd < 0 {
            // The log did not exist yet: the whole file is new.
            if openCurrent() { bytes += readToEnd() }
        } else {
            bytes += readToEnd()
            var status = stat()
            if stat(path, &status) == 0, status.st_ino != inode {
                close(fd)
                fd = -1
                // The old file's torn end (a crash) never gets its newline: dropped with the old file.
                let finished = completeLines(bytes)
                partial = []
                bytes = finished
                if openCurrent() { bytes += readToEnd() }
            }
        }
        return RejectionLogReader.lines(of: completeLines(bytes)).compactMap(RejectionRecord.decode)
    }

    /// The bytes up to and including the last newline; the rest waits for the next poll.
    private func completeLines(_ bytes: [UInt8]) -> [UInt8] {
        let all = partial + bytes
        guard let last = all.lastIndex(of: 0x0A) else {
            partial = all
            return []
        }
        partial = Array(all[(last + 1)...])
        return Array(all[...last])
    }

    private func openCurrent() -> Bool {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        var status = stat()
        inode = fstat(fd, &status) == 0 ? status.st_ino : 0
        return true
    }

    private func readToEnd() -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return out }
            out.append(contentsOf: chunk[..<count])
        }
    }
}
