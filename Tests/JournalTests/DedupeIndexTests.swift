import Testing

@testable import Journal

struct DedupeIndexTests {
    @Test func holdsEveryIdThroughGrowthAndForgetsOldOnes() {
        var index = DedupeIndex(windowHours: 1)
        let now: Int64 = 1_800_000_000
        let ids = (0..<50_000).map { EventFingerprint(eventID: "evt_\($0)".utf8) }
        for (offset, id) in ids.enumerated() {
            index.insert(id, seconds: offset % 2 == 0 ? now : now - 7200)
        }
        #expect(index.count == ids.count)
        for (offset, id) in ids.enumerated() {
            #expect(index.contains(id, nowSeconds: now) == (offset % 2 == 0))
        }
        #expect(!index.contains(EventFingerprint(eventID: "evt_absent".utf8), nowSeconds: now))
        index.insert(ids[1], seconds: now)
        #expect(index.contains(ids[1], nowSeconds: now), "a newer copy restarts the window")
        #expect(index.count == ids.count, "the same id twice is one entry")
        index.sweep(nowSeconds: now)
        #expect(index.count == ids.count / 2 + 1)
        #expect(index.contains(ids[0], nowSeconds: now) && index.contains(ids[1], nowSeconds: now))
        #expect(!index.contains(ids[3], nowSeconds: now))
    }

    @Test func disabledWindowHoldsNothing() {
        let index = DedupeIndex(windowHours: 0)
        #expect(!index.isEnabled)
        #expect(!index.contains(EventFingerprint(eventID: "evt".utf8), nowSeconds: 1))
    }
}
