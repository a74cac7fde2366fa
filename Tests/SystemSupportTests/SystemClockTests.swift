import Glibc
import SystemSupport
import Testing

struct SystemClockTests {
    @Test func theWallClockIsInMillisecondsSinceTheEpoch() {
        let before = Int64(time(nil))
        let now = SystemClock.nowMilliseconds()
        let after = Int64(time(nil))
        #expect(now / 1000 >= before && now / 1000 <= after)
    }

    @Test func theMonotonicClockIsInNanosecondsAndNeverGoesBack() {
        let first = SystemClock.monotonicNanoseconds()
        usleep(20_000)
        let second = SystemClock.monotonicNanoseconds()
        #expect(second - first >= 20_000_000)
        #expect(second - first < 20_000_000_000, "nanoseconds, not something finer")
    }
}
