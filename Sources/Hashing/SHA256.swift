internal import CCrypto

/// SHA-256 (FIPS 180-4) computed by Debian's libcrypto, as a value: copying a `SHA256` copies its state (a plain
/// C struct, no allocation), which is how a prepared HMAC key is reused for every delivery.
public struct SHA256: Sendable {
    private var context = SHA256_CTX()

    public init() {
        wooshhook_sha256_init(&context)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        wooshhook_sha256_update(&context, bytes.baseAddress, bytes.count)
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The digest of everything fed so far; the state is spent.
    public consuming func finalize() -> SHA256Digest {
        var digest = SHA256Digest()
        digest.withUnsafeMutableBytes {
            wooshhook_sha256_final($0.baseAddress?.assumingMemoryBound(to: UInt8.self), &context)
        }
        return digest
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func hash(_ bytes: some Collection<UInt8>) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }
}
