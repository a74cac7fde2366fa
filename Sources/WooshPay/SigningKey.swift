import Crypto

/// One secret, ready to compute WooshPay's MAC of a delivery, HMAC-SHA256 (RFC 2104) of `t + "." + body`, with
/// the key's inner and outer blocks hashed once: a check copies the two prepared SHA-256 states and feeds them
/// through `SHA256.update(bufferPointer:)`.
///
/// Why not swift-crypto's `HMAC<SHA256>`: its `update` is generic over `DataProtocol` and not inlinable, so every
/// call walks `regions` through unspecialised generic code with runtime metadata lookups; on the receive path that
/// cost more than the hashing itself (about a tenth of the event loop). The construction here is only the RFC's
/// two nested hashes; `Signer` still signs with `HMAC<SHA256>`, and the tests check the two agree, so the
/// library remains the reference.
struct SigningKey: @unchecked Sendable {
    // `@unchecked Sendable`: the states are never mutated in place, only copied (copy-on-write), and copying from
    // several threads at once only reads them.
    private let inner: SHA256
    private let outer: SHA256

    init(secret: String) {
        let key = Array(secret.utf8)
        let blockSize = 64
        var block = key.count > blockSize ? Array(SHA256.hash(data: key)) : key
        block.append(contentsOf: repeatElement(0, count: blockSize - block.count))
        var inner = SHA256()
        var outer = SHA256()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
        block.map { $0 ^ 0x5C }.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    /// HMAC-SHA256 of `timestamp + "." + body`.
    func authenticationCode(timestamp: String, body: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = inner
        var timestamp = timestamp
        timestamp.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(ascii: ".")) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: body)
        var outerHasher = outer
        hasher.finalize().withUnsafeBytes { outerHasher.update(bufferPointer: $0) }
        return outerHasher.finalize()
    }
}
