import Glibc

/// Substring search over bytes: `memchr` for the first byte, then a compare (Glibc's `memmem` is not exported).
enum ByteSearch {
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pattern in
                guard let base = hay.baseAddress, let patternBase = pattern.baseAddress, hay.count >= pattern.count
                else { return false }
                var start = 0
                let last = hay.count - pattern.count
                while start <= last {
                    guard let found = memchr(base + start, Int32(first), last - start + 1) else { return false }
                    let index = base.distance(to: UnsafeRawPointer(found))
                    if memcmp(base + index, patternBase, pattern.count) == 0 { return true }
                    start = index + 1
                }
                return false
            }
        }
    }
}
