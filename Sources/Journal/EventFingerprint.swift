import Hashing

/// 128 bits of SHA-256 of an event id: the dedupe index keeps these instead of the ids to bound its memory
/// (an id can be long; millions are held for the 96-hour window). A collision needs ~2^64 ids.
struct EventFingerprint: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(eventID: some Collection<UInt8>) {
        self.init(digest: SHA256.hash(eventID))
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From bytes in place (the dedupe rebuild).
    init(eventID: UnsafeRawBufferPointer) {
        self.init(digest: SHA256.hash(eventID))
    }

    /// The digest's first 16 bytes, big-endian.
    private init(digest: SHA256Digest) {
        (high, low) = digest.withUnsafeBytes { bytes in
            (
                UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }
}
