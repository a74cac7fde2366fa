/// What `journal verify` found.
public struct JournalVerification: Sendable {
    public var segments = 0
    public var records = 0
    public var firstSeq: UInt64?
    public var lastSeq: UInt64?
    /// Every damaged line and every break in the seq order or segment naming.
    public var damage: [DamagedLine] = []
    /// No damage at all.
    public var isClean: Bool { damage.isEmpty }
}

/// Checks a whole journal: each line is JSON with a matching sha256, seq rises by exactly one across segments
/// (the first may start anywhere, after retention), and each segment is named by its first record's seq.
public enum JournalVerifier {
    public static func verify(directory: String) throws -> JournalVerification {
        let reader = try JournalReader(directory: directory)
        var report = JournalVerification()
        report.segments = reader.segmentPaths.count
        for segment in reader.segmentPaths {
            var firstInSegment = true
            var lineNumber = 0
            try SegmentReading.forEachLine(of: segment) { result in
                lineNumber += 1
                switch result {
                case .failure(let damage):
                    report.damage.append(damage)
                case .success(let record):
                    if firstInSegment, let named = SegmentDirectory.firstSeq(ofFileName: fileName(segment)),
                        named != record.seq
                    {
                        report.damage.append(
                            DamagedLine(
                                segment: segment, lineNumber: lineNumber, offset: 0,
                                reason: "segment is named \(named) but its first record is seq \(record.seq)"))
                    }
                    if let last = report.lastSeq, record.seq != last + 1 {
                        report.damage.append(
                            DamagedLine(
                                segment: segment, lineNumber: lineNumber, offset: 0,
                                reason: "seq \(record.seq) follows seq \(last) (expected \(last + 1))"))
                    }
                    firstInSegment = false
                    report.records += 1
                    if report.firstSeq == nil { report.firstSeq = record.seq }
                    report.lastSeq = record.seq
                }
            }
        }
        return report
    }

    private static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
