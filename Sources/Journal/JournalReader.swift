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

    /// The newest record of `eventID`, searching segments from the newest. Segments are mapped, not copied, and a
    /// line is decoded only when the id's bytes sit where the writer puts them (or the line has another layout and
    /// contains the id), so a 1 GB journal is searched at memory speed. The newest segment, which a running writer
    /// may cut back, is read instead of mapped (see `MappedSegment`).
    public func newestRecord(
        withEventID eventID: String, damaged: (DamagedLine) -> Void = { _ in }
    ) throws -> JournalRecord? {
        let quotedID = MappedSegment.quotedID(eventID)
        var needle = Array("\"event_id\":".utf8)
        JSONEscaping.appendString(eventID.utf8, to: &needle)
        for segment in segmentPaths.reversed() {
            var found: JournalRecord?
            try MappedSegment.forEachLine(of: segment, mapping: segment != segmentPaths.last) { line, number, offset in
                let candidate =
                    MappedSegment.hasEventID(line, quotedID: quotedID)
                    ?? ByteSearch.contains(Array(line)[...], needle)
                guard candidate else { return }
                switch JournalRecord.decode(line: Array(line)) {
                case .success(let record) where record.eventID == eventID: found = record
                case .success: break
                case .failure(let error):
                    damaged(
                        DamagedLine(segment: segment, lineNumber: number, offset: offset, reason: error.description))
                }
            }
            if let found { return found }
        }
        return nil
    }

    /// The newest `n` valid records, oldest first, read backwards from the end of the last segments. Damaged lines
    /// met on the way go to `damaged` (with `lineNumber` 0: counting lines would mean reading the whole segment).
    public func lastRecords(_ n: Int, damaged: (DamagedLine) -> Void = { _ in }) throws(JournalError) -> [JournalRecord]
    {
        var collected: [JournalRecord] = []
        for segment in segmentPaths.reversed() where collected.count < n {
            collected =
                try SegmentReading.lastRecords(of: segment, count: n - collected.count, damaged: damaged)
                + collected
        }
        return collected
    }
}
