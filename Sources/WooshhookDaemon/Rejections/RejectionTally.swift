import WooshPay

/// Rejections per code per minute over the last hour, counted as they happen (before any sampling), for the status
/// page. Sixty slots of one minute each, reused in turn: counting is two array stores, with no allocation.
struct RejectionTally {
    static let minutes = 60
    private var counts: [Int]
    private var slotMinute: [Int64]

    init() {
        counts = Array(repeating: 0, count: Self.minutes * RejectionCodeIndex.count)
        slotMinute = Array(repeating: -1, count: Self.minutes)
    }

    mutating func count(_ code: RejectionCode, atMilliseconds time: Int64) {
        let minute = time / 60_000
        let slot = Int(minute % Int64(Self.minutes))
        if slotMinute[slot] != minute {
            slotMinute[slot] = minute
            let base = slot * RejectionCodeIndex.count
            for index in base..<(base + RejectionCodeIndex.count) { counts[index] = 0 }
        }
        counts[slot * RejectionCodeIndex.count + RejectionCodeIndex.of(code)] += 1
    }

    /// Per code, the rejections of the last hour (the current minute and the 59 before it).
    func lastHour(nowMilliseconds: Int64) -> [RejectionCode: Int] {
        let now = nowMilliseconds / 60_000
        var totals: [RejectionCode: Int] = [:]
        for code in RejectionCode.allCases { totals[code] = 0 }
        for slot in 0..<Self.minutes where slotMinute[slot] > now - Int64(Self.minutes) && slotMinute[slot] <= now {
            for code in RejectionCode.allCases {
                totals[code, default: 0] += counts[slot * RejectionCodeIndex.count + RejectionCodeIndex.of(code)]
            }
        }
        return totals
    }

    /// All codes together per minute, oldest first, the current minute last (60 values).
    func perMinute(nowMilliseconds: Int64) -> [Int] {
        let now = nowMilliseconds / 60_000
        return (0..<Int64(Self.minutes)).reversed().map { ago -> Int in
            let minute = now - ago
            let slot = Int(minute % Int64(Self.minutes))
            guard slotMinute[slot] == minute else { return 0 }
            let base = slot * RejectionCodeIndex.count
            return counts[base..<(base + RejectionCodeIndex.count)].reduce(0, +)
        }
    }
}
