/// The bytes that end a run of plain bytes in a JSON string (RFC 8259 §7): control bytes (below 0x20), `"` and
/// `\`. Everything else, UTF-8 included, stands in a string as it is. Found eight bytes at a time, because a JSON
/// body is mostly strings and a branch per byte cost more than the HMAC: the journal's escaping
/// (`JSONEscaping.appendString`) copies the runs between them, WooshPay's strict scan of a body
/// (`EnvelopeScanner`) steps over them.
public enum JSONStringBytes {
    /// A high bit set in each byte of `word` (loaded little-endian) that is a control byte, `"` or `\`. Only the
    /// lowest mark is exact (a borrow can mark a byte above a real one), so use only the lowest: the first such
    /// byte is at `marks.trailingZeroBitCount >> 3`; no mark, none of the eight is one.
    @inlinable @inline(__always)
    public static func specialMarks(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let control = (word &- ones &* 0x20) & ~word & highs
        return control | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C))
    }
}
