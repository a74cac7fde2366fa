/// Ids journaled within the window, as fingerprints mapped to their receive time in seconds. Only the writer thread
/// touches it. An entry older than the window counts as absent (WooshPay stopped retrying it long ago) and is dropped
/// by `sweep`.
struct DedupeIndex {
    private var receivedAt: [EventFingerprint: Int64] = [:]
    let windowSeconds: Int64

    init(windowHours: Int) {
        windowSeconds = Int64(windowHours) * 3600
    }

    var isEnabled: Bool { windowSeconds > 0 }
    var count: Int { receivedAt.count }

    func contains(_ fingerprint: EventFingerprint, nowSeconds: Int64) -> Bool {
        guard let seconds = receivedAt[fingerprint] else { return false }
        return nowSeconds - seconds < windowSeconds
    }

    /// Records an id; a later time wins so the window runs from the newest copy.
    mutating func insert(_ fingerprint: EventFingerprint, seconds: Int64) {
        if let known = receivedAt[fingerprint], known >= seconds { return }
        receivedAt[fingerprint] = seconds
    }

    mutating func sweep(nowSeconds: Int64) {
        receivedAt = receivedAt.filter { nowSeconds - $0.value < windowSeconds }
    }
}
