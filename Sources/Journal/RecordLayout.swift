import Glibc

/// The layout of a journal line, in one place: which fields, in which order, and the bytes between them
/// (docs/ARCHITECTURE.md, "The record line"). `PendingRecord` writes lines with it; the readers that look at bytes
/// rather than decode JSON (`RecordPrefix` for the dedupe rebuild, `MappedSegment.hasEventID` for `show`) find
/// the fixed start of a line with it. A new field goes at the end; none is removed or moved.
///
/// Each key comes with what separates it from the field before: `received_at` and `sha256` are strings the writer
/// never escapes, so their keys open the quote and the next key closes it.
enum RecordLayout {
    static var seq: StaticString { "{\"seq\":" }
    static var receivedAt: StaticString { ",\"received_at\":\"" }
    static var eventID: StaticString { "\",\"event_id\":" }
    static var type: StaticString { ",\"type\":" }
    static var livemode: StaticString { ",\"livemode\":" }
    static var created: StaticString { ",\"created\":" }
    static var remoteAddr: StaticString { ",\"remote_addr\":" }
    static var signatureT: StaticString { ",\"signature_t\":" }
    static var sha256: StaticString { ",\"sha256\":\"" }
    static var body: StaticString { "\",\"body\":" }
    /// Only in the quarantine.
    static var reason: StaticString { ",\"reason\":" }
    static var end: StaticString { "}\n" }

    /// `received_at` is always `RecordTime`'s 24 bytes, so what follows it is at a fixed offset.
    static let receivedAtCount = 24

    static func append(_ part: StaticString, to line: inout [UInt8]) {
        line.append(contentsOf: UnsafeRawBufferPointer(start: part.utf8Start, count: part.utf8CodeUnitCount))
    }

    /// Whether `line` holds `part` at `offset`.
    static func matches(_ line: UnsafeRawBufferPointer, at offset: Int, _ part: StaticString) -> Bool {
        let count = part.utf8CodeUnitCount
        guard let base = line.baseAddress, offset >= 0, offset + count <= line.count else { return false }
        return memcmp(base + offset, part.utf8Start, count) == 0
    }

    /// The seq and the offset of `received_at`'s 24 bytes in a line that starts as the writer writes it,
    /// `{"seq":N,"received_at":"` with N of 1 to 19 digits; nil for any other start, and for lines of 80 bytes or
    /// fewer, which the writer never writes (the sha256 alone takes 64), so that a reader falls back to decoding.
    static func start(of line: UnsafeRawBufferPointer) -> (seq: UInt64, receivedAt: Int)? {
        guard line.count > 80, matches(line, at: 0, seq) else { return nil }
        let digits = seq.utf8CodeUnitCount
        var index = digits
        var value: UInt64 = 0
        // 19 digits at most: no overflow, and a larger seq (never handed out) takes the slow path.
        while index < line.count, index < digits + 19, line[index] >= UInt8(ascii: "0"),
            line[index] <= UInt8(ascii: "9")
        {
            value = value &* 10 &+ UInt64(line[index] &- UInt8(ascii: "0"))
            index += 1
        }
        guard index > digits, matches(line, at: index, receivedAt) else { return nil }
        return (value, index + receivedAt.utf8CodeUnitCount)
    }
}
