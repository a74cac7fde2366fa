/// Reads seq, received_at and event_id from the start of a line without a JSON parse, relying on the writer's field
/// order. Rebuilding the dedupe index scans days of records at start, so this runs at memory speed; a line that
/// does not start the way the writer writes falls back to a full decode.
struct RecordPrefix {
    let seq: UInt64
    let receivedAtSeconds: Int64
    let fingerprint: EventFingerprint

    private static let seqKey = Array("{\"seq\":".utf8)
    private static let receivedKey = Array(",\"received_at\":\"".utf8)
    private static let eventKey = Array("\",\"event_id\":\"".utf8)

    /// The prefix of `line`, or nil when the line is not a record at all.
    static func read(_ line: ArraySlice<UInt8>) -> RecordPrefix? {
        if let fast = scan(line) { return fast }
        guard case .success(let record) = JournalRecord.decode(line: Array(line)),
            let seconds = record.receivedAtSeconds
        else { return nil }
        return RecordPrefix(
            seq: record.seq, receivedAtSeconds: seconds, fingerprint: EventFingerprint(eventID: record.eventID.utf8))
    }

    private static func scan(_ line: ArraySlice<UInt8>) -> RecordPrefix? {
        var index = line.startIndex
        guard line.count > 80, line[index..<index + seqKey.count].elementsEqual(seqKey) else { return nil }
        index += seqKey.count
        var seq: UInt64 = 0
        let digitsStart = index
        while index < line.endIndex, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9"), index - digitsStart < 19 {
            seq = seq * 10 + UInt64(line[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > digitsStart, line.endIndex - index > receivedKey.count + 24 + eventKey.count,
            line[index..<index + receivedKey.count].elementsEqual(receivedKey)
        else { return nil }
        index += receivedKey.count
        let timeEnd = index + 24
        guard let seconds = RecordTime.seconds(line[index..<timeEnd]),
            line[timeEnd..<timeEnd + eventKey.count].elementsEqual(eventKey)
        else { return nil }
        let idStart = timeEnd + eventKey.count
        guard let idEnd = line[idStart...].firstIndex(of: UInt8(ascii: "\"")),
            !line[idStart..<idEnd].contains(UInt8(ascii: "\\"))
        else { return nil }
        return RecordPrefix(seq: seq, receivedAtSeconds: seconds, fingerprint: EventFingerprint(eventID: line[idStart..<idEnd]))
    }
}
