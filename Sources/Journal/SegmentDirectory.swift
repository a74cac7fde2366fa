import Foundation

/// The segment files of one journal directory and the low-level file reads shared by the writer and readers.
enum SegmentDirectory {
    static let suffix = ".jsonl"

    /// `<20-digit zero-padded seq>.jsonl`.
    static func fileName(firstSeq: UInt64) -> String {
        let digits = String(firstSeq)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The first seq a segment's name announces, or nil when the name is not a segment's.
    static func firstSeq(ofFileName name: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard stem.count == 20, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(stem)
    }

    /// Full paths of the segments, ordered by first seq.
    static func segmentPaths(in directory: String) throws(JournalError) -> [String] {
        guard let handle = opendir(directory) else {
            throw JournalError(
                "read the journal directory", path: directory, code: errno,
                hint: "check the path (--journal or journal.directory) and that this user may read it")
        }
        defer { closedir(handle) }
        var found: [(UInt64, String)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let seq = firstSeq(ofFileName: name) { found.append((seq, "\(directory)/\(name)")) }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Size of the file at `path`.
    static func size(of path: String) throws(JournalError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw JournalError("stat", path: path, code: errno) }
        return Int(info.st_size)
    }

    /// `count` bytes at `offset` of `path` (fewer at the end of the file).
    static func read(_ path: String, offset: Int = 0, count: Int? = nil) throws(JournalError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw JournalError("open", path: path, code: errno, hint: "check that this user may read it")
        }
        defer { close(fd) }
        let wanted: Int
        if let count {
            wanted = count
        } else {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw JournalError("stat", path: path, code: errno) }
            wanted = max(0, Int(info.st_size) - offset)
        }
        var bytes = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress.map { $0 + filled }, wanted - filled, off_t(offset + filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw JournalError("read", path: path, code: errno)
            }
            if got == 0 { break }
            filled += got
        }
        if filled < wanted { bytes.removeLast(wanted - filled) }
        return bytes
    }

    /// fsync of a directory, so that a file created or removed in it survives a crash.
    static func syncDirectory(_ directory: String) throws(JournalError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError("open", path: directory, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw JournalError("fsync", path: directory, code: errno) }
    }

    /// Creates `directory` and its parents (mode 0750), reporting the real `errno` of the first failure.
    static func create(_ directory: String) throws(JournalError) {
        var path = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            path += "/\(component)"
            if mkdir(path, 0o750) != 0 && errno != EEXIST {
                throw JournalError(
                    "create directory", path: path, code: errno, hint: "check the owner and mode of its parent")
            }
        }
    }
}
