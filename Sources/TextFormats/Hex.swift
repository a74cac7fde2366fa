/// Lowercase hex: the journal's `sha256`, WooshPay's `v1` signatures and the `\u00XX` of JSON escapes. Inlinable,
/// so the journal's per-record digest and the verifier's comparison compile to the same code as a local helper.
public enum Hex {
    /// The lowercase hex digit of a nibble (0–15), without a table lookup or a branch, so `Verifier.matches` takes
    /// the same time whatever digits it compares.
    @inlinable @inline(__always)
    public static func digit(_ nibble: UInt8) -> UInt8 {
        // '0'…'9' then 'a'…'f': 39 more for nibbles of 10 and over (a mask from the borrow of 9 - nibble).
        let isLetter = UInt8(truncatingIfNeeded: (9 &- Int(nibble)) >> 8)
        return UInt8(ascii: "0") &+ nibble &+ (isLetter & 39)
    }

    /// Appends two digits per byte of `bytes` to `out`, with no String in between.
    @inlinable
    public static func append(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        out.append(addingCapacity: bytes.count * 2) { span in
            for byte in bytes {
                span.append(digit(byte >> 4))
                span.append(digit(byte & 0x0F))
            }
        }
    }

    /// `bytes` as a hex string.
    @inlinable
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text: [UInt8] = []
        append(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }
}
