import Foundation

/// `pwrite` until everything is written, retrying interrupted and short writes.
enum FileWriting {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], offset: Int, path: String) throws(JournalError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                pwrite(fd, buffer.baseAddress.map { $0 + written }, bytes.count - written, off_t(offset + written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw JournalError(
                    "write", path: path, code: errno, hint: "free space or fix the disk; wooshhook retries by itself")
            }
            written += result
        }
    }
}
