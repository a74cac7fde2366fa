import Glibc

/// Reads seq, received_at and event_id from the start of a line without a JSON parse, relying on the writer's field
/// order. Rebuilding the dedupe index scans days of records at start, so this works on the mapped bytes in place;
/// a line that does not start the way the writer writes falls back to a full decode.
struct RecordPrefix {
    let seq: UInt64
    let receivedAtSeconds: Int64
    let fingerprint: EventFingerprint

    /// The prefix of `line`, or nil when the line is not a record at all.
    static func read(_ line: UnsafeRawBufferPointer) -> RecordPrefix? {
        if let fast = scan(line) { return fast }
        guard case .success(let record) = JournalRecord.decode(line: Array(line)),
            let seconds = record.receivedAtSeconds
        else { return nil }
        return RecordPrefix(
            seq: record.seq, receivedAtSeconds: seconds, fingerprint: EventFingerprint(eventID: record.eventID.utf8))
    }

    /// Convenience for tests and callers holding an array.
    static func read(_ line: ArraySlice<UInt8>) -> RecordPrefix? {
        line.withUnsafeBytes { read($0) }
    }

    private static func matches(_ line: UnsafeRawBufferPointer, at offset: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard let base = line.baseAddress, offset + count <= line.count else { return false }
        return memcmp(base + offset, literal.utf8Start, count) == 0
    }

    private static func scan(_ line: UnsafeRawBufferPointer) -> RecordPrefix? {
        guard line.count > 80, matches(line, at: 0, "{\"seq\":") else { return nil }
        var index = 7
        var seq: UInt64 = 0
        while index < line.count, index < 26, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") {
            seq = seq &* 10 &+ UInt64(line[index] &- UInt8(ascii: "0"))
            index += 1
        }
        guard index > 7, matches(line, at: index, ",\"received_at\":\"") else { return nil }
        let timeStart = index + 16
        guard matches(line, at: timeStart + 24, "\",\"event_id\":\""),
            let seconds = RecordTime.seconds(UnsafeRawBufferPointer(rebasing: line[timeStart..<timeStart + 24]))
        else { return nil }
        let idStart = timeStart + 24 + 14
        guard let base = line.baseAddress, idStart < line.count,
            let quote = memchr(base + idStart, Int32(UInt8(ascii: "\"")), line.count - idStart)
        else { return nil }
        let id = UnsafeRawBufferPointer(start: base + idStart, count: (base + idStart).distance(to: quote))
        guard memchr(base + idStart, Int32(UInt8(ascii: "\\")), id.count) == nil else { return nil }
        return RecordPrefix(seq: seq, receivedAtSeconds: seconds, fingerprint: EventFingerprint(eventID: id))
    }
}
