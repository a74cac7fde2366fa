import Glibc

/// A segment mapped read-only, for scans that look at every line but decode few (`show`): no copy of the file,
/// no zero-filled buffer, the page cache is read in place.
///
/// Only a segment nobody can shrink may be mapped: when the writer cuts a failed batch back (`ftruncate` on a full
/// disk), touching a mapped page past the new end kills the reader with SIGBUS. The writer only ever cuts back the
/// newest segment, so a reader running beside it reads that one with `pread` (`mapping: false`); the writer itself,
/// which holds the journal lock, maps them all.
enum MappedSegment {
    /// Calls `body` with each complete line (without `\n`), its 1-based number and its offset.
    static func forEachLine(
        of path: String, mapping: Bool = true,
        _ body: (UnsafeRawBufferPointer, _ number: Int, _ offset: Int) throws -> Void
    ) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw JournalError("open", path: path, code: errno, hint: "check that this user may read it")
        }
        defer { close(fd) }
        guard mapping else { return try read(fd, path: path, body) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError("stat", path: path, code: errno) }
        let size = Int(info.st_size)
        guard size > 0 else { return }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw JournalError("map", path: path, code: errno)
        }
        defer { munmap(base, size) }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        try scan(UnsafeRawBufferPointer(start: base, count: size), body)
    }

    /// Calls `body` for the complete lines of `buffer`, numbered from `number`, their offsets counted from
    /// `offset`; returns where the first incomplete line starts (the buffer's end when there is none).
    @discardableResult
    private static func scan(
        _ buffer: UnsafeRawBufferPointer, number: inout Int, offset: Int = 0,
        _ body: (UnsafeRawBufferPointer, _ number: Int, _ offset: Int) throws -> Void
    ) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        let size = buffer.count
        var start = 0
        while start < size, let found = memchr(base + start, 0x0A, size - start) {
            let end = base.distance(to: UnsafeRawPointer(found))
            try body(UnsafeRawBufferPointer(start: base + start, count: end - start), number, offset + start)
            number += 1
            start = end + 1
        }
        return start
    }

    private static func scan(
        _ buffer: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, _ number: Int, _ offset: Int) throws -> Void
    ) throws {
        var number = 1
        try scan(buffer, number: &number, body)
    }

    /// The same scan over `pread`s of 1 MiB into one buffer (grown only for a longer line), up to whatever end the
    /// file has as it is read: a cut-back shortens the read, never faults.
    private static func read(
        _ fd: Int32, path: String, _ body: (UnsafeRawBufferPointer, _ number: Int, _ offset: Int) throws -> Void
    ) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var filled = 0
        var bufferOffset = 0
        var number = 1
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let got = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress.map { $0 + filled }, raw.count - filled, off_t(bufferOffset + filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw JournalError("read", path: path, code: errno)
            }
            if got == 0 { return }
            filled += got
            let consumed = try buffer.withUnsafeBytes { raw in
                try scan(UnsafeRawBufferPointer(rebasing: raw[..<filled]), number: &number, offset: bufferOffset, body)
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    if let base = raw.baseAddress { _ = memmove(base, base + consumed, filled - consumed) }
                }
                filled -= consumed
                bufferOffset += consumed
            }
        }
    }

    /// Whether `line` starts as `RecordLayout` lays it out and its event id is exactly `quotedID`
    /// (`RecordLayout.eventID` + the id as a JSON string, which `quotedID(_:)` makes). nil when the start differs,
    /// so the caller falls back to a byte search.
    static func hasEventID(_ line: UnsafeRawBufferPointer, quotedID: [UInt8]) -> Bool? {
        guard let (_, timeStart) = RecordLayout.start(of: line), let base = line.baseAddress else { return nil }
        let idStart = timeStart + RecordLayout.receivedAtCount
        guard idStart + quotedID.count <= line.count else { return nil }
        return quotedID.withUnsafeBytes { id in
            id.baseAddress.map { memcmp(base + idStart, $0, id.count) == 0 } ?? false
        }
    }

    /// What `hasEventID` looks for: the bytes between `received_at` and the type when the event id is `eventID`.
    static func quotedID(_ eventID: String) -> [UInt8] {
        var bytes: [UInt8] = []
        RecordLayout.append(RecordLayout.eventID, to: &bytes)
        JSONEscaping.appendString(eventID.utf8, to: &bytes)
        return bytes
    }
}
