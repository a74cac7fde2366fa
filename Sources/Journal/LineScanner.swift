#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Splits segment bytes into lines. A trailing piece without `\n` is reported separately: it is a torn write.
struct LineScanner {
    /// One complete line: its bytes range (without `\n`) within the scanned buffer.
    struct Line {
        let range: Range<Int>
        let number: Int
    }

    /// Complete lines of `bytes`, and the start of a trailing piece without newline (nil when none).
    static func lines(_ bytes: [UInt8], firstLineNumber: Int = 1) -> (lines: [Line], tornStart: Int?) {
        var lines: [Line] = []
        var start = 0
        var number = firstLineNumber
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            while start < buffer.count {
                guard let found = memchr(base + start, 0x0A, buffer.count - start) else { break }
                let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                lines.append(Line(range: start..<end, number: number))
                number += 1
                start = end + 1
            }
        }
        return (lines, start < bytes.count ? start : nil)
    }
}
