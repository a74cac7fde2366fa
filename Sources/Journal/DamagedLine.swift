/// A line of a segment that is not a valid record: where it is and why, for `journal verify` and reader warnings.
public struct DamagedLine: Error, Sendable, Equatable, CustomStringConvertible {
    /// The segment file's path.
    public let segment: String
    /// 1-based line number within the segment.
    public let lineNumber: Int
    /// Byte offset of the line's start within the segment.
    public let offset: Int
    public let reason: String

    public init(segment: String, lineNumber: Int, offset: Int, reason: String) {
        self.segment = segment
        self.lineNumber = lineNumber
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(segment) line \(lineNumber) (offset \(offset)): \(reason)" }
}
