/// Reads a journal directory for the operator tools: every record in order, or the newest few from the end.
/// Damaged lines are reported, never fatal, so one bad line cannot hide the rest of the journal.
public struct JournalReader: Sendable {
    /// The journal directory.
    public let directory: String
    /// The segments, ordered by first seq.
    public let segmentPaths: [String]

    /// Lists the segments; a missing or unreadable directory is an error naming it.
    public init(directory: String) throws(JournalError) {
        self.directory = directory
        segmentPaths = try SegmentDirectory.segmentPaths(in: directory)
    }

    /// Every line in seq order: `.success` for a record, `.failure` for a damaged line, and reading goes on.
    public func forEachRecord(_ body: (Result<JournalRecord, DamagedLine>) throws -> Void) throws {
        for segment in segmentPaths {
            try SegmentReading.forEachLine(of: segment, body)
        }
    }

    /// The records of one event id (usually one), found by a byte search before any line is decoded.
    public func records(withEventID eventID: String, _ body: (Result<JournalRecord, DamagedLine>) throws -> Void) throws {
        var needle = Array("\"event_id\":".utf8)
        JSONEscaping.appendString(eventID.utf8, to: &needle)
        let prefilter: (ArraySlice<UInt8>) -> Bool = { line in ByteSearch.contains(line, needle) }
        for segment in segmentPaths {
            try SegmentReading.forEachLine(of: segment, prefilter: prefilter) { result in
                if case .success(let record) = result, record.eventID != eventID { return }
                try body(result)
            }
        }
    }

    /// The newest `n` valid records, oldest first, read backwards from the end of the last segments. Damaged lines
    /// met on the way go to `damaged` (with `lineNumber` 0: counting lines would mean reading the whole segment).
    public func lastRecords(_ n: Int, damaged: (DamagedLine) -> Void = { _ in }) throws(JournalError) -> [JournalRecord] {
        var collected: [JournalRecord] = []
        for segment in segmentPaths.reversed() where collected.count < n {
            collected = try SegmentReading.lastRecords(of: segment, count: n - collected.count, damaged: damaged)
                + collected
        }
        return collected
    }
}
