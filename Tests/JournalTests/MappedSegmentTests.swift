import Foundation
import Testing

@testable import Journal

/// The newest segment is read with `pread` in chunks instead of mapped: the same lines, numbers and offsets,
/// including lines longer than a chunk and lines across chunk boundaries.
struct MappedSegmentTests {
    @Test func readingInChunksSeesWhatMappingSees() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let path = "\(journal.directory)/00000000000000000001.jsonl"
        var bytes: [UInt8] = []
        for (index, length) in [10, 1 << 20, 3, (1 << 20) - 5, 0, 2_500_000, 77].enumerated() {
            bytes += Array(repeating: UInt8(ascii: "a") + UInt8(index), count: length) + [0x0A]
        }
        bytes += Array("torn tail without a newline".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        func lines(mapping: Bool) throws -> [[Int]] {
            var seen: [[Int]] = []
            try MappedSegment.forEachLine(of: path, mapping: mapping) { line, number, offset in
                seen.append([number, offset, line.count, Int(line.first ?? 0), Int(line.last ?? 0)])
            }
            return seen
        }
        let mapped = try lines(mapping: true)
        #expect(mapped.count == 7)
        #expect(try lines(mapping: false) == mapped)
    }
}
