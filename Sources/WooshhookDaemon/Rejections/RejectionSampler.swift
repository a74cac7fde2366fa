/// Decides which rejections the log writes one by one: a token bucket of `burst` lines refilled at
/// `perSecond`. Beyond it a rejection is only counted, per code, and `summaries` turns the counts into one line per
/// code at most once a second, carrying the last rejection of that code as a sample and how many it stands for.
/// So a flood costs the disk a few lines a second, and an operator still sees that it happened, from where, and how
/// big it was. The clock is passed in (tests need no sleeps).
struct RejectionSampler {
    let perSecond: Double
    let burst: Double
    private var tokens: Double
    private var lastRefill: Int64
    private var lastSummary: Int64
    /// Per code (by `RejectionCodeIndex`): how many were not written and the last of them.
    private var dropped: [Int]
    private var samples: [RejectionEntry?]

    init(perSecond: Double = 100, burst: Double = 500, nowMilliseconds: Int64) {
        self.perSecond = perSecond
        self.burst = burst
        tokens = burst
        lastRefill = nowMilliseconds
        lastSummary = nowMilliseconds
        dropped = Array(repeating: 0, count: RejectionCodeIndex.count)
        samples = Array(repeating: nil, count: RejectionCodeIndex.count)
    }

    /// True when `entry` is to be written as its own line; otherwise it is counted for the next summary.
    mutating func admit(_ entry: RejectionEntry, nowMilliseconds: Int64) -> Bool {
        refill(nowMilliseconds)
        if tokens >= 1 {
            tokens -= 1
            return true
        }
        drop(entry, count: 1)
        return false
    }

    /// Counts rejections that never reached the writer (its queue was full), with the last of them as a sample.
    mutating func drop(_ entry: RejectionEntry, count: Int) {
        let index = RejectionCodeIndex.of(entry.code)
        dropped[index] += count
        samples[index] = entry
    }

    /// Once a second at most (or at once when `force`): one line per code with drops, then the counts restart.
    mutating func summaries(nowMilliseconds: Int64, force: Bool = false) -> [[UInt8]] {
        guard force || nowMilliseconds - lastSummary >= 1000 else { return [] }
        lastSummary = nowMilliseconds
        var lines: [[UInt8]] = []
        for index in dropped.indices where dropped[index] > 0 {
            if let sample = samples[index] { lines.append(sample.line(dropped: dropped[index])) }
            dropped[index] = 0
            samples[index] = nil
        }
        return lines
    }

    private mutating func refill(_ now: Int64) {
        guard now > lastRefill else { return }
        tokens = min(burst, tokens + Double(now - lastRefill) * perSecond / 1000)
        lastRefill = now
    }
}
