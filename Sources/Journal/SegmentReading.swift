/// Reads one segment's lines, forwards in full or backwards from its end in growing chunks (so `tail -n 10` on a
/// large journal reads kilobytes, not the journal).
enum SegmentReading {
    /// Every line of `segment` in order: a valid record or the damage, with its line number and offset.
    static func forEachLine(
        of segment: String, _ body: (Result<JournalRecord, DamagedLine>) throws -> Void
    ) throws {
        let bytes = try SegmentDirectory.read(segment)
        let (lines, tornStart) = LineScanner.lines(bytes)
        for line in lines {
            switch JournalRecord.decode(line: Array(bytes[line.range])) {
            case .success(let record): try body(.success(record))
            case .failure(let error):
                try body(
                    .failure(
                        DamagedLine(
                            segment: segment, lineNumber: line.number, offset: line.range.lowerBound,
                            reason: error.description)))
            }
        }
        if let tornStart {
            try body(
                .failure(
                    DamagedLine(
                        segment: segment, lineNumber: lines.count + 1, offset: tornStart,
                        reason: "\(bytes.count - tornStart) bytes without a final newline (a torn write)")))
        }
    }

    /// Up to `count` of the newest valid records of `segment`, oldest first, read from the end.
    static func lastRecords(
        of segment: String, count: Int, damaged: (DamagedLine) -> Void = { _ in }
    ) throws(JournalError) -> [JournalRecord] {
        guard count > 0 else { return [] }
        let size = try SegmentDirectory.size(of: segment)
        var chunk = 64 * 1024
        while true {
            let start = max(0, size - chunk)
            let bytes = try SegmentDirectory.read(segment, offset: start, count: size - start)
            var lines = LineScanner.lines(bytes).lines
            if start > 0 && !lines.isEmpty { lines.removeFirst() } // begins mid-line
            var found: [JournalRecord] = []
            var damage: [DamagedLine] = []
            for line in lines.reversed() {
                switch JournalRecord.decode(line: Array(bytes[line.range])) {
                case .success(let record):
                    found.append(record)
                case .failure(let error):
                    // Line numbers are unknown when reading from the end: the offset locates the line.
                    damage.append(
                        DamagedLine(
                            segment: segment, lineNumber: 0, offset: start + line.range.lowerBound,
                            reason: error.description))
                }
                if found.count == count { break }
            }
            if found.count == count || start == 0 {
                damage.reversed().forEach(damaged)
                return found.reversed()
            }
            chunk *= 4
        }
    }

    /// The newest valid record of `segment`.
    static func lastRecord(of segment: String) throws(JournalError) -> JournalRecord? {
        try lastRecords(of: segment, count: 1).first
    }
}
