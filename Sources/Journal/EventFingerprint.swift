import Crypto

/// 128 bits of SHA-256 of an event id: the dedupe index keeps these instead of the ids to bound its memory
/// (an id can be long; millions are held for the 96-hour window). A collision needs ~2^64 ids.
struct EventFingerprint: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(eventID: some Collection<UInt8>) {
        self.init(digest: SHA256.hash(data: Array(eventID)))
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From bytes in place (the dedupe rebuild).
    init(eventID: UnsafeRawBufferPointer) {
        self.init(digest: SHA256.hash(data: eventID))
    }

    private init(digest: SHA256.Digest) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in digest.enumerated() {
            if index < 8 {
                high = high << 8 | UInt64(byte)
            } else if index < 16 {
                low = low << 8 | UInt64(byte)
            } else {
                break
            }
        }
        self.high = high
        self.low = low
    }
}
