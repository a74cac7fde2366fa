/// One HMAC-SHA256 computation, started from an `HMACSHA256Key` (which holds the prepared states).
public struct HMACSHA256: Sendable {
    private var inner: SHA256
    private let outer: SHA256

    init(inner: SHA256, outer: SHA256) {
        self.inner = inner
        self.outer = outer
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bytes)
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        inner.update(bytes)
    }

    /// The MAC of everything fed so far.
    public consuming func finalize() -> SHA256Digest {
        var outer = outer
        inner.finalize().withUnsafeBytes { outer.update($0) }
        return outer.finalize()
    }
}
