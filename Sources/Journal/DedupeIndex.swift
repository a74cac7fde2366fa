/// Ids journaled within the window, as 128-bit fingerprints with their receive time. Only the writer thread
/// touches it. An entry older than the window counts as absent (WooshPay stopped retrying it long ago) and is
/// dropped by `sweep`.
///
/// An open-addressing table in three flat arrays (16 + 4 bytes a slot, up to 80 % full, grown by half) rather than
/// a `Dictionary`: 3.5 million ids (96 h at 10 events/s) take ~30 bytes each instead of ~60, and a lookup hashes
/// nothing, because the fingerprint is already uniformly random (it is SHA-256).
struct DedupeIndex {
    let windowSeconds: Int64
    private var high: [UInt64] = []
    private var low: [UInt64] = []
    /// Receive time in seconds; 0 marks an empty slot.
    private var seconds: [UInt32] = []
    private(set) var count = 0

    init(windowHours: Int) {
        windowSeconds = Int64(windowHours) * 3600
    }

    var isEnabled: Bool { windowSeconds > 0 }

    func contains(_ fingerprint: EventFingerprint, nowSeconds: Int64) -> Bool {
        guard let slot = find(fingerprint), seconds[slot] != 0 else { return false }
        return nowSeconds - Int64(seconds[slot]) < windowSeconds
    }

    /// Records an id; a later time wins so the window runs from the newest copy.
    mutating func insert(_ fingerprint: EventFingerprint, seconds time: Int64) {
        if count + 1 > seconds.count * 4 / 5 { grow(to: max(1024, seconds.count + seconds.count / 2)) }
        guard let slot = find(fingerprint) else { return }
        let stamp = UInt32(clamping: max(1, time))
        if seconds[slot] == 0 {
            high[slot] = fingerprint.high
            low[slot] = fingerprint.low
            seconds[slot] = stamp
            count += 1
        } else if seconds[slot] < stamp {
            seconds[slot] = stamp
        }
    }

    /// Drops entries older than the window (rebuilding the table, which also shrinks it).
    mutating func sweep(nowSeconds: Int64) {
        var fresh = DedupeIndex(windowHours: 0, capacity: max(1024, count * 5 / 4 + 1), window: windowSeconds)
        for slot in seconds.indices where seconds[slot] != 0 && nowSeconds - Int64(seconds[slot]) < windowSeconds {
            fresh.insert(EventFingerprint(high: high[slot], low: low[slot]), seconds: Int64(seconds[slot]))
        }
        self = fresh
    }

    private init(windowHours: Int, capacity: Int, window: Int64) {
        windowSeconds = window
        high = [UInt64](repeating: 0, count: capacity)
        low = high
        seconds = [UInt32](repeating: 0, count: capacity)
    }

    /// The slot holding `fingerprint`, or the empty slot where it belongs (linear probing).
    private func find(_ fingerprint: EventFingerprint) -> Int? {
        guard !seconds.isEmpty else { return nil }
        var slot = Int(truncatingIfNeeded: UInt64(seconds.count).multipliedFullWidth(by: fingerprint.low).high)
        while seconds[slot] != 0 {
            if low[slot] == fingerprint.low && high[slot] == fingerprint.high { return slot }
            slot += 1
            if slot == seconds.count { slot = 0 }
        }
        return slot
    }

    private mutating func grow(to capacity: Int) {
        var bigger = DedupeIndex(windowHours: 0, capacity: capacity, window: windowSeconds)
        for slot in seconds.indices where seconds[slot] != 0 {
            bigger.insert(EventFingerprint(high: high[slot], low: low[slot]), seconds: Int64(seconds[slot]))
        }
        self = bigger
    }
}
