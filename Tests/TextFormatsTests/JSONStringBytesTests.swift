import Testing
import TextFormats

struct JSONStringBytesTests {
    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Where the lowest mark says the first special byte is, or 8 for none.
    private static func firstSpecial(_ bytes: [UInt8]) -> Int {
        let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let marks = JSONStringBytes.specialMarks(UInt64(littleEndian: word))
        return marks == 0 ? 8 : marks.trailingZeroBitCount >> 3
    }

    @Test func everyByteAtEveryPlace() {
        for position in 0..<8 {
            for byte in UInt8.min...UInt8.max {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = byte
                #expect(Self.firstSpecial(bytes) == (Self.isSpecial(byte) ? position : 8), "\(byte) at \(position)")
            }
        }
    }

    /// Words mixing the bytes next to the edges (0x1f/0x20, `"` and `\` with their neighbours, 0x7f, 0x80, 0xff):
    /// the lowest mark is exact even when the borrow of one marks the byte above it.
    @Test func theLowestMarkIsExactInMixedWords() {
        let edges: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<100_000 {
            var bytes: [UInt8] = []
            for _ in 0..<8 {
                // splitmix64: a fixed sequence, so a failure is the same on every run.
                state &+= 0x9E37_79B9_7F4A_7C15
                var mixed = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
                mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
                bytes.append(edges[Int((mixed ^ (mixed >> 31)) % UInt64(edges.count))])
            }
            #expect(Self.firstSpecial(bytes) == (bytes.firstIndex(where: Self.isSpecial) ?? 8), "\(bytes)")
        }
    }
}
