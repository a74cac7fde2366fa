/// An HMAC-SHA256 key (RFC 2104) prepared once: the key's inner and outer blocks are hashed here, so a MAC costs
/// only the message's own blocks and two copies of a prepared `SHA256` state, with no allocation.
public struct HMACSHA256Key: Sendable {
    private static let blockSize = 64
    private let inner: SHA256
    private let outer: SHA256

    /// `key` as is, any length: longer than SHA-256's 64-byte block, it is hashed first, as the RFC says.
    public init(_ key: some Collection<UInt8>) {
        var block = key.count > Self.blockSize ? SHA256.hash(key).bytes : Array(key)
        block.append(contentsOf: repeatElement(0, count: Self.blockSize - block.count))
        var inner = SHA256()
        var outer = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        outer.update(block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    /// A MAC computation starting from the prepared state: feed the message with `update`, then `finalize`.
    public func start() -> HMACSHA256 {
        HMACSHA256(inner: inner, outer: outer)
    }
}
