import Hashing

/// One secret, ready to compute WooshPay's MAC of a delivery, HMAC-SHA256 of `t + "." + body`, with the key's inner
/// and outer blocks hashed once (`HMACSHA256Key`): a check copies two prepared SHA-256 states and hashes only the
/// timestamp and the body, allocating nothing.
struct SigningKey: Sendable {
    private let key: HMACSHA256Key

    init(secret: String) {
        key = HMACSHA256Key(secret.utf8)
    }

    /// HMAC-SHA256 of `timestamp + "." + body`.
    func authenticationCode(timestamp: String, body: UnsafeRawBufferPointer) -> SHA256Digest {
        var mac = key.start()
        var timestamp = timestamp
        timestamp.withUTF8 { mac.update(UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(ascii: ".")) { mac.update($0) }
        mac.update(body)
        return mac.finalize()
    }
}
