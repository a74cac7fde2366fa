/// JSON string escaping over bytes (RFC 8259 §7): `"` `\` and control bytes are escaped, every other byte,
/// UTF-8 included, is copied as is. Copying rather than re-encoding is what keeps `body` byte-exact. Public: the
/// daemon's replies, logs and dead letters are small JSON texts built by hand with it, where a JSONEncoder pass
/// would cost more than the whole request.
public enum JSONEscaping {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        appendString(text.utf8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `"…"` holding `bytes`.
    public static func appendString(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes { appendEscaped(byte, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// The same for a body in memory, for every record: one pass written straight into `out`'s spare capacity,
    /// reserved for the worst case (every byte as `\u00XX`; `out` grows geometrically, so that is rarely a copy).
    /// (A JSON body has a quote every few bytes, so appending run by run cost more than the HMAC.)
    static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(addingCapacity: bytes.count * 6 + 2) { span in
            span.withUnsafeMutableBufferPointer { spare, initialized in
                guard let base = spare.baseAddress.map(UnsafeMutableRawPointer.init) else { return }
                base.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
                var at = 1
                for byte in bytes {
                    if escapedLength(byte) == 1 {
                        base.storeBytes(of: byte, toByteOffset: at, as: UInt8.self)
                        at += 1
                    } else {
                        at = writeEscape(byte, to: base, at: at)
                    }
                }
                base.storeBytes(of: UInt8(ascii: "\""), toByteOffset: at, as: UInt8.self)
                initialized = at + 1
            }
        }
    }

    /// How many bytes `byte` takes inside a JSON string: 1 as is, 2 for `\"` `\\` `\n` and the like, 6 for `\u00XX`.
    @inline(__always)
    private static func escapedLength(_ byte: UInt8) -> Int {
        if byte >= 0x20 { return byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? 2 : 1 }
        switch byte {
        case 0x08, 0x09, 0x0A, 0x0C, 0x0D: return 2
        default: return 6
        }
    }

    /// Writes the escape of `byte` (one that needs one) at `at`; returns the offset after it.
    private static func writeEscape(_ byte: UInt8, to base: UnsafeMutableRawPointer, at: Int) -> Int {
        func put(_ value: UInt8, _ offset: Int) { base.storeBytes(of: value, toByteOffset: at + offset, as: UInt8.self) }
        put(UInt8(ascii: "\\"), 0)
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(byte, 1)
        case 0x0A: put(UInt8(ascii: "n"), 1)
        case 0x0D: put(UInt8(ascii: "r"), 1)
        case 0x09: put(UInt8(ascii: "t"), 1)
        case 0x08: put(UInt8(ascii: "b"), 1)
        case 0x0C: put(UInt8(ascii: "f"), 1)
        default:
            for (offset, character) in "u00".utf8.enumerated() { put(character, 1 + offset) }
            put(hexDigit(byte >> 4), 4)
            put(hexDigit(byte & 0x0F), 5)
            return at + 6
        }
        return at + 2
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        let length = escapedLength(byte)
        if length == 1 {
            out.append(byte)
            return
        }
        out.append(addingCapacity: length) { span in
            span.withUnsafeMutableBufferPointer { spare, initialized in
                guard let base = spare.baseAddress.map(UnsafeMutableRawPointer.init) else { return }
                initialized = writeEscape(byte, to: base, at: 0)
            }
        }
    }

    /// Appends the lowercase hex of `bytes` (no quotes).
    static func appendHex(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
    }

    /// Appends the decimal digits of `value`.
    static func appendInteger(_ value: some BinaryInteger, to out: inout [UInt8]) {
        out.append(contentsOf: Array(String(value).utf8))
    }
}
