import Glibc

/// Reads seq, received_at and event_id from the start of a line without a JSON parse, where `RecordLayout` puts
/// them. Rebuilding the dedupe index scans days of records at start, so this works on the mapped bytes in place;
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

    private static func scan(_ line: UnsafeRawBufferPointer) -> RecordPrefix? {
        guard let (seq, timeStart) = RecordLayout.start(of: line) else { return nil }
        let timeEnd = timeStart + RecordLayout.receivedAtCount
        // The id's opening quote, then the id up to the next quote: it holds no escape.
        let idQuote = timeEnd + RecordLayout.eventID.utf8CodeUnitCount
        guard RecordLayout.matches(line, at: timeEnd, RecordLayout.eventID),
            RecordLayout.matches(line, at: idQuote, "\""),
            let seconds = RecordTime.seconds(UnsafeRawBufferPointer(rebasing: line[timeStart..<timeEnd]))
        else { return nil }
        let idStart = idQuote + 1
        guard let base = line.baseAddress, idStart < line.count,
            let quote = memchr(base + idStart, Int32(UInt8(ascii: "\"")), line.count - idStart)
        else { return nil }
        let id = UnsafeRawBufferPointer(start: base + idStart, count: (base + idStart).distance(to: quote))
        guard memchr(base + idStart, Int32(UInt8(ascii: "\\")), id.count) == nil else { return nil }
        return RecordPrefix(seq: seq, receivedAtSeconds: seconds, fingerprint: EventFingerprint(eventID: id))
    }
}
