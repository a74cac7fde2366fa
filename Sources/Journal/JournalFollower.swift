/// Follows a journal as it grows, for `tail -f`: each `poll` returns the complete lines appended since the last one,
/// moving on to the next segment when the writer rolls. A line still being written (no `\n` yet) waits for the next
/// poll. Starts at the current end, so create it before reading the last records and skip seqs already printed.
// @unchecked: not thread-safe; it is handed to the one thread that polls it (tail -f, a handler runner).
public final class JournalFollower: @unchecked Sendable {
    public let directory: String
    private var segment: String?
    private var offset = 0
    private var skipThrough: UInt64 = 0

    /// Positions the follower at the end of the journal as it is now (an empty or missing journal is fine).
    public init(directory: String) throws(JournalError) {
        self.directory = directory
        if let last = try SegmentDirectory.segmentPaths(in: directory).last {
            segment = last
            offset = try SegmentDirectory.size(of: last)
        }
    }

    /// Positions the follower just after `seq` (a handler's cursor): at the start of the segment holding `seq + 1`,
    /// with records up to `seq` skipped.
    public init(directory: String, afterSeq seq: UInt64) throws(JournalError) {
        self.directory = directory
        skipThrough = seq
        let segments = try SegmentDirectory.segmentPaths(in: directory)
        segment =
            segments.last { (SegmentDirectory.firstSeq(ofFileName: Self.fileName($0)) ?? 0) <= seq + 1 }
            ?? segments.first
        offset = 0
    }

    private static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Records (or damaged lines) appended since the previous poll, in order, up to the record `limit` at most.
    ///
    /// A handler passes the writer's durable head as `limit`: under `fsync: always` a batch is in the segment file
    /// before its fdatasync returns, and when that sync fails the writer cuts the batch back and gives its seqs to
    /// the next events. A follower that read past the head would hand out events nobody acknowledged and then skip
    /// the real owners of those seqs. So it stops at the first record past `limit` and reads it again next time.
    public func poll(throughSeq limit: UInt64 = .max) throws(JournalError) -> [Result<JournalRecord, DamagedLine>] {
        var found: [Result<JournalRecord, DamagedLine>] = []
        let segments = try SegmentDirectory.segmentPaths(in: directory)
        if segment == nil, let first = segments.first {
            segment = first
            offset = 0
        }
        while let current = segment {
            let size = (try? SegmentDirectory.size(of: current)) ?? 0
            if size < offset { offset = size } // a failed batch was cut back
            var complete = true
            if size > offset {
                let bytes = try SegmentDirectory.read(current, offset: offset, count: size - offset)
                let (lines, tornStart) = LineScanner.lines(bytes)
                var stoppedAt: Int?
                for line in lines {
                    switch JournalRecord.decode(line: Array(bytes[line.range])) {
                    case .success(let record) where record.seq > limit:
                        stoppedAt = line.range.lowerBound
                    case .success(let record) where record.seq > skipThrough: found.append(.success(record))
                    case .success: break
                    case .failure(let error):
                        found.append(
                            .failure(
                                DamagedLine(
                                    segment: current, lineNumber: 0, offset: offset + line.range.lowerBound,
                                    reason: error.description)))
                    }
                    if stoppedAt != nil { break }
                }
                offset += stoppedAt ?? tornStart ?? bytes.count
                complete = stoppedAt == nil && tornStart == nil
            }
            guard complete, let index = segments.firstIndex(of: current), index + 1 < segments.count else { break }
            segment = segments[index + 1]
            offset = 0
        }
        return found
    }
}
