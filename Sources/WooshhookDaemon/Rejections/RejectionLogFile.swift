import Foundation
import SystemSupport

/// The rejection log's files, bounded by rotation: lines go to `rejections.jsonl` until the next one would take it
/// past half of `max_bytes`; then it is renamed to `rejections.1.jsonl` (replacing the older one) and a new file is
/// begun. Neither file ever exceeds half the bound, so the two together never exceed it, whatever arrives. Written
/// without fsync: losing the last lines in a crash costs nothing that the daemon's log and metrics do not also have.
///
/// The current file has its whole share of the bound reserved on disk when it is opened (`DiskSpace.reserve`,
/// keeping its size), so a disk that fills up afterwards still takes the lines that say why deliveries are being
/// refused with `journal_unavailable`: the refusals an operator most needs to see are the ones a full disk causes.
/// On disk that is half of `max_bytes` at first, and about `max_bytes` once the older file exists (blocks round up;
/// after `max_bytes` was lowered, a little more until the older file rotates away). A rotation frees the older
/// file's blocks just before the new file reserves, so the new file usually gets them back; on a full disk another
/// writer can take them first, and the failure is logged.
/// Used by the rejection writer's thread only.
final class RejectionLogFile {
    static let currentName = "rejections.jsonl"
    static let previousName = "rejections.1.jsonl"

    let directory: String
    let currentPath: String
    let previousPath: String
    /// The most one file may hold.
    let fileBytes: Int
    private var fd: Int32 = -1
    private var size = 0
    /// Why the current file has no reserve (the disk had no room for it when it was opened), for the log.
    private(set) var reserveFailure: String?

    init(directory: String, maxBytes: Int) {
        self.directory = directory
        currentPath = "\(directory)/\(Self.currentName)"
        previousPath = "\(directory)/\(Self.previousName)"
        fileBytes = max(1, maxBytes / 2)
    }

    /// Creates the directory and opens the current file; files over the bound (`max_bytes` was lowered) are
    /// rotated or removed first, so the bound holds from the start.
    func open() throws(DaemonError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DaemonError("cannot create \(directory): \(error.localizedDescription); check its owner and mode")
        }
        var status = stat()
        if stat(previousPath, &status) == 0, Int(status.st_size) > fileBytes { unlink(previousPath) }
        try reopen()
        if size > fileBytes { _ = rotate() }
    }

    /// Appends whole lines, rotating between them as needed. Returns the error text of a failed write (the lines
    /// are then lost; the file is cut back to its last whole line).
    func write(_ lines: [[UInt8]]) -> String? {
        var pending: [UInt8] = []
        pending.reserveCapacity(lines.reduce(0) { $0 + $1.count })
        for line in lines where line.count <= fileBytes {
            if size + pending.count + line.count > fileBytes {
                if let failure = flush(&pending) { return failure }
                if let failure = rotate() { return failure }
            }
            pending.append(contentsOf: line)
        }
        return flush(&pending)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private func flush(_ pending: inout [UInt8]) -> String? {
        defer { pending.removeAll(keepingCapacity: true) }
        guard !pending.isEmpty else { return nil }
        guard fd >= 0 else { return "\(currentPath) is not open" }
        var offset = 0
        while offset < pending.count {
            let written = pending.withUnsafeBytes {
                Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                // A torn line would spoil the next one too: cut back to the last whole line. The cut gives the
                // reserve back too; take it again for the lines to come.
                _ = ftruncate(fd, off_t(size))
                reserve()
                return "cannot write \(currentPath): \(reason)"
            }
            offset += written
        }
        size += pending.count
        return nil
    }

    private func rotate() -> String? {
        close()
        // Replacing the older file frees its blocks before the new file reserves its own.
        if rename(currentPath, previousPath) != 0 && errno != ENOENT {
            let reason = String(cString: strerror(errno))
            // Never grow past the bound: start the current file over instead.
            unlink(currentPath)
            do { try reopen() } catch { return "\(error)" }
            return "cannot rotate \(currentPath): \(reason); its lines were dropped"
        }
        do { try reopen() } catch { return "\(error)" }
        return nil
    }

    private func reopen() throws(DaemonError) {
        fd = Glibc.open(currentPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw DaemonError(
                "cannot open \(currentPath): \(String(cString: strerror(errno))); check its owner and mode")
        }
        var status = stat()
        size = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
        // A reserve left past the end by a larger `max_bytes` goes back first: the bound is the bound on disk.
        DiskSpace.releaseReserve(fd, size: size)
        reserve()
    }

    /// Reserves the current file's share of the bound; a failure is kept in `reserveFailure` for the log.
    private func reserve() {
        let error = DiskSpace.reserve(fd, offset: 0, length: fileBytes)
        reserveFailure =
            error == 0 || error == EOPNOTSUPP
            ? nil : "cannot reserve \(fileBytes) bytes for \(currentPath): \(String(cString: strerror(error)))"
    }
}
