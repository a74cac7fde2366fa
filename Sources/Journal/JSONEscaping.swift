import TextFormats

/// JSON string escaping over bytes (RFC 8259 §7): `"` `\` and control bytes are escaped, every other byte,
/// UTF-8 included, is copied as is. Copying rather than re-encoding is what keeps `body` byte-exact. Public: the
/// daemon's replies, logs and dead letters are small JSON texts built by hand with it, where a JSONEncoder pass
/// would cost more than the whole request.
public enum JSONEscaping {
    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        appendString(text.utf8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `"…"` holding `bytes`: in one pass when they are contiguous (a native String's UTF-8, an array).
    public static func appendString(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { appendString(UnsafeRawBufferPointer($0), to: &out) }
        if done != nil { return }
        out.append(UInt8(ascii: "\""))
        for byte in bytes { appendEscaped(byte, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// The same for a body in memory, for every record: one pass written straight into `out`'s spare capacity,
    /// reserved for the worst case (every byte as `\u00XX`; `out` grows geometrically, so that is rarely a copy).
    /// Eight bytes at a time: each word is copied whole, then the cursor moves to its first byte that needs an
    /// escape, if any (found with `JSONStringBytes.specialMarks`), and the escape overwrites the rest, which the
    /// next word copies again. A JSON body has a quote every few bytes: byte by byte, with a branch per byte or two
    /// stores per byte, this cost more than the HMAC.
    static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(addingCapacity: bytes.count * 6 + 2) { span in
            span.withUnsafeMutableBufferPointer { spare, initialized in
                guard let base = spare.baseAddress.map(UnsafeMutableRawPointer.init) else { return }
                base.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
                var at = 1
                var index = 0
                let count = bytes.count
                // A word stored at `at` stays inside the reservation: `at` ≤ 6 × index + 1 and index + 8 ≤ count.
                while index &+ 8 <= count {
                    let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    base.storeBytes(of: word, toByteOffset: at, as: UInt64.self)
                    let marks = JSONStringBytes.specialMarks(word)
                    if marks == 0 {
                        index &+= 8
                        at &+= 8
                        continue
                    }
                    let clean = marks.trailingZeroBitCount &>> 3
                    index &+= clean
                    at &+= clean
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                        // The common escape, inline.
                        base.storeBytes(of: UInt8(ascii: "\\"), toByteOffset: at, as: UInt8.self)
                        base.storeBytes(of: byte, toByteOffset: at &+ 1, as: UInt8.self)
                        at &+= 2
                    } else {
                        at = writeEscape(byte, to: base, at: at)
                    }
                    index &+= 1
                }
                while index < count {
                    let byte = bytes[index]
                    if escapedLength(byte) == 1 {
                        base.storeBytes(of: byte, toByteOffset: at, as: UInt8.self)
                        at &+= 1
                    } else {
                        at = writeEscape(byte, to: base, at: at)
                    }
                    index &+= 1
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
        func put(_ value: UInt8, _ offset: Int) {
            base.storeBytes(of: value, toByteOffset: at + offset, as: UInt8.self)
        }
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
            put(Hex.digit(byte >> 4), 4)
            put(Hex.digit(byte & 0x0F), 5)
            return at + 6
        }
        return at + 2
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

    /// Appends the decimal digits of `value`, with no String in between.
    static func appendInteger(_ value: some FixedWidthInteger, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 40 bytes: the 39 digits of a 128-bit magnitude.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var at = buffer.count
            repeat {
                at -= 1
                buffer[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude != 0 && at > 0
            out.append(contentsOf: buffer[at...])
        }
    }
}
