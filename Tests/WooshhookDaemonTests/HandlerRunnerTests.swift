import Foundation
import Journal
import Logging
import Synchronization
import Testing

@testable import WooshhookDaemon

/// Retries, backoff and dead letters of `HandlerRunner`, on a real journal and real cursor and dead-letter files, with
/// a clock that never sleeps: each backoff is noted and the clock moves on to its end at once. The runner is prepared
/// but not launched, and each test drives one pass over the journal (`catchUp`) on its own thread.
@Suite struct HandlerRunnerTests {
    /// The backoff of a runner: 0.2 s doubling per failed attempt, capped at 60 s.
    static let schedule = [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 60, 60]

    @Test func backoffDoublesFromTheInitialDelayUpToTheCap() throws {
        let journal = try HandlerJournal(events: ["evt_stubborn"])
        defer { journal.cleanUp() }
        let handler = ScriptedHandler(failing: ["evt_stubborn": .max])
        let clock = SteppingClock()
        let runner = try journal.runner("stubborn", handler: handler, maxAttempts: 12, clock: clock)
        runner.catchUp()
        #expect(handler.attempts.map(\.eventID) == Array(repeating: "evt_stubborn", count: 12))
        Self.expectWaits(clock.waits, Self.schedule)
        #expect(clock.waits.reduce(0, +) < 250, "about four minutes in all, never more")
    }

    @Test(arguments: [1, 3, 10])
    func anEventIsDeadLetteredAfterExactlyMaxAttempts(maxAttempts: Int) throws {
        let journal = try HandlerJournal(events: ["evt_ok_1", "evt_bad", "evt_ok_2"])
        defer { journal.cleanUp() }
        let handler = ScriptedHandler(failing: ["evt_bad": .max], cursorPath: journal.cursorPath("ledger"))
        let clock = SteppingClock()
        let runner = try journal.runner("ledger", handler: handler, maxAttempts: maxAttempts, clock: clock)
        runner.catchUp()

        #expect(
            handler.attempts.map(\.eventID)
                == ["evt_ok_1"] + Array(repeating: "evt_bad", count: maxAttempts) + ["evt_ok_2"])
        Self.expectWaits(clock.waits, Array(Self.schedule.prefix(maxAttempts - 1)))
        let letters = journal.deadLetters("ledger")
        try #require(letters.count == 1, "\(letters)")
        #expect(letters[0]["seq"] as? Int == 2)
        #expect(letters[0]["event_id"] as? String == "evt_bad")
        #expect(letters[0]["type"] as? String == "payment_intent.succeeded")
        #expect(letters[0]["attempts"] as? Int == maxAttempts)
        #expect(letters[0]["error"] as? String == "attempt \(maxAttempts) of evt_bad failed")
        #expect((letters[0]["dead_lettered_at"] as? String)?.count == 24)
        // The cursor moved past the dead letter before the next event was tried, and ends at the journal's end.
        #expect(handler.attempts.last?.cursor == "2")
        #expect(journal.cursor("ledger") == "3")
        #expect(runner.handledThrough == 3)
    }

    @Test func anEventThatSucceedsAfterFailuresIsHandledOnceAndNotDeadLettered() throws {
        let journal = try HandlerJournal(events: ["evt_flaky", "evt_once_flaky"])
        defer { journal.cleanUp() }
        let handler = ScriptedHandler(failing: ["evt_flaky": 4, "evt_once_flaky": 1])
        let clock = SteppingClock()
        let runner = try journal.runner("flaky", handler: handler, maxAttempts: 5, clock: clock)
        runner.catchUp()

        #expect(
            handler.attempts.map(\.eventID)
                == Array(repeating: "evt_flaky", count: 5) + ["evt_once_flaky", "evt_once_flaky"])
        // Each event starts its own backoff from the initial delay.
        Self.expectWaits(clock.waits, [0.2, 0.4, 0.8, 1.6, 0.2])
        #expect(journal.deadLetters("flaky").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(journal.directory)/deadletters/flaky.jsonl"))
        #expect(journal.cursor("flaky") == "2")
    }

    @Test func eventsOfOtherTypesMoveTheCursorWithoutAnAttempt() throws {
        let journal = try HandlerJournal(
            events: ["evt_a", "evt_refund", "evt_b"], types: ["evt_refund": "charge.refund.updated"])
        defer { journal.cleanUp() }
        let handler = ScriptedHandler(failing: [:])
        let clock = SteppingClock()
        let runner = try journal.runner(
            "refunds", handler: handler, maxAttempts: 3, events: ["charge.refund.updated"], clock: clock)
        runner.catchUp()
        #expect(handler.attempts.map(\.eventID) == ["evt_refund"])
        #expect(clock.waits.isEmpty)
        #expect(journal.cursor("refunds") == "3")
    }

    /// A handler that takes batches: a failed batch is handled again event by event, each with its own retries, so
    /// one bad event is dead-lettered and the others are handled.
    @Test func aFailedBatchIsRetriedEventByEvent() throws {
        let journal = try HandlerJournal(events: ["evt_1", "evt_2", "evt_3"])
        defer { journal.cleanUp() }
        let handler = ScriptedHandler(failing: ["evt_2": .max], batchLimit: 10)
        let clock = SteppingClock()
        let runner = try journal.runner("batched", handler: handler, maxAttempts: 2, clock: clock)
        runner.catchUp()
        #expect(handler.batches == [["evt_1", "evt_2", "evt_3"]])
        #expect(handler.attempts.map(\.eventID) == ["evt_1", "evt_2", "evt_2", "evt_3"])
        Self.expectWaits(clock.waits, [0.2])
        #expect(journal.deadLetters("batched").map { $0["event_id"] as? String } == ["evt_2"])
        #expect(journal.cursor("batched") == "3")
    }

    /// A stop during an attempt (the daemon stopping kills an exec command) is not the event's fault: no retry, no
    /// dead letter, the cursor stays before it, and the runner after the restart handles it.
    @Test(arguments: [1, 3])
    func aStopDuringAnAttemptLeavesTheEventForTheRestart(maxAttempts: Int) throws {
        let journal = try HandlerJournal(events: ["evt_interrupted", "evt_next"])
        defer { journal.cleanUp() }
        let stopping = StoppingHandler()
        let clock = SteppingClock()
        let runner = try journal.runner("stopped", handler: stopping, maxAttempts: maxAttempts, clock: clock)
        stopping.runner.withLock { $0 = runner }
        defer { stopping.runner.withLock { $0 = nil } }
        runner.catchUp()
        #expect(stopping.attempts == ["evt_interrupted"])
        #expect(clock.waits.isEmpty)
        #expect(journal.deadLetters("stopped").isEmpty)
        #expect(journal.cursor("stopped") == "0")

        let handler = ScriptedHandler(failing: [:])
        let restarted = try journal.runner("stopped", handler: handler, maxAttempts: maxAttempts, clock: clock)
        restarted.catchUp()
        #expect(handler.attempts.map(\.eventID) == ["evt_interrupted", "evt_next"])
        #expect(journal.cursor("stopped") == "2")
    }

    /// The waits, each within a rounding error of the expected (the clock adds seconds to a `Date`).
    static func expectWaits(
        _ waits: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(waits.count == expected.count, "\(waits)", sourceLocation: sourceLocation)
        for (wait, delay) in zip(waits, expected) {
            #expect(abs(wait - delay) < 1e-6, "\(waits)", sourceLocation: sourceLocation)
        }
    }
}

/// A `HandlerClock` whose time moves only when the runner waits: each wait is noted and ends at once, at its deadline.
final class SteppingClock: HandlerClock {
    private let state = Mutex<(now: Date, waits: [Double])>((Date(timeIntervalSince1970: 1_764_420_000), []))

    var now: Date { state.withLock { $0.now } }

    func sleep(until deadline: Date, wakingOn condition: NSCondition) {
        state.withLock { state in
            state.waits.append(deadline.timeIntervalSince(state.now))
            state.now = max(state.now, deadline)
        }
    }

    /// The length of each wait, in seconds, in order.
    var waits: [Double] { state.withLock { $0.waits } }
}

/// A handler that fails the first `failing[id]` attempts of an event (`.max`: every one), and notes each attempt
/// with the handler's saved cursor at that moment.
final class ScriptedHandler: EventHandler {
    struct Attempt: Sendable {
        let eventID: String
        let cursor: String?
    }

    private let failing: [String: Int]
    private let cursorPath: String?
    let batchLimit: Int
    private let state = Mutex<(attempts: [Attempt], batches: [[String]])>(([], []))

    init(failing: [String: Int], cursorPath: String? = nil, batchLimit: Int = 1) {
        self.failing = failing
        self.cursorPath = cursorPath
        self.batchLimit = batchLimit
    }

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        let cursor = cursorPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let attempt = state.withLock { state in
            state.attempts.append(Attempt(eventID: record.eventID, cursor: cursor))
            return state.attempts.filter { $0.eventID == record.eventID }.count
        }
        if attempt <= failing[record.eventID, default: 0] {
            throw HandlerFailure("attempt \(attempt) of \(record.eventID) failed")
        }
    }

    func handle(batch: [JournalRecord]) throws(HandlerFailure) {
        state.withLock { $0.batches.append(batch.map(\.eventID)) }
        if batch.contains(where: { failing[$0.eventID, default: 0] > 0 }) {
            throw HandlerFailure("the batch holds an event that fails")
        }
        for record in batch { try handle(record) }
    }

    var attempts: [Attempt] { state.withLock { $0.attempts } }
    var batches: [[String]] { state.withLock { $0.batches } }
}

/// A handler whose attempt is cut short by a stop, as an exec command killed at shutdown is.
final class StoppingHandler: EventHandler {
    let runner = Mutex<HandlerRunner?>(nil)
    private let seen = Mutex<[String]>([])

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        seen.withLock { $0.append(record.eventID) }
        runner.withLock { $0 }?.requestStop()
        throw HandlerFailure("killed by the shutdown")
    }

    var attempts: [String] { seen.withLock { $0 } }
}

/// A journal in a temporary folder holding the given events as seqs 1, 2, …, with `cursors/` and `deadletters/`
/// as `HandlerPipeline` makes them.
struct HandlerJournal {
    let directory: String
    let head: UInt64
    static let logger = Logger(label: "handler-runner-tests") { _ in SwiftLogNoOpLogHandler() }

    init(events: [String], types: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("handlers-\(UUID().uuidString)").path
        for folder in ["cursors", "deadletters"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
        }
        let writer = try JournalWriter.open(
            JournalConfiguration(directory: directory, fsync: .never), logger: Self.logger)
        defer { writer.close() }
        for (index, id) in events.enumerated() {
            let body = #"{"id":"\#(id)","type":"\#(types[id] ?? "payment_intent.succeeded")","data":{"object":{}}}"#
            let record = PendingRecord(
                receivedAtMilliseconds: 1_764_420_000_000, eventID: id, type: types[id] ?? "payment_intent.succeeded",
                livemode: false, created: nil, remoteAddr: "203.0.113.5", signatureT: "1764420000",
                body: Array(body.utf8))
            let outcome = Mutex<AppendOutcome?>(nil)
            let appended = DispatchSemaphore(value: 0)
            writer.append(record) { result in
                outcome.withLock { $0 = result }
                appended.signal()
            }
            appended.wait()
            let result = outcome.withLock { $0 }
            try #require(result == .appended(seq: UInt64(index + 1)), "\(id): \(String(describing: result))")
        }
        head = UInt64(events.count)
    }

    func cursorPath(_ name: String) -> String { "\(directory)/cursors/\(name)" }

    /// A runner for the handler `name` whose cursor is at the journal's start, prepared and not launched.
    func runner(
        _ name: String, handler: any EventHandler, maxAttempts: Int, events: [String] = [], clock: any HandlerClock
    ) throws -> HandlerRunner {
        try "0\n".write(toFile: cursorPath(name), atomically: true, encoding: .utf8)
        let head = self.head
        let runner = HandlerRunner(
            HandlerConfiguration(name: name, kind: .log, events: events, maxAttempts: maxAttempts), handler: handler,
            journalDirectory: directory, journalHead: { head }, logger: Self.logger, clock: clock)
        try runner.prepare()
        return runner
    }

    /// The saved cursor, trimmed.
    func cursor(_ name: String) -> String? {
        (try? String(contentsOfFile: cursorPath(name), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The lines of `deadletters/<name>.jsonl`, decoded.
    func deadLetters(_ name: String) -> [[String: Any]] {
        let path = "\(directory)/deadletters/\(name).jsonl"
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: 0x0A).map {
            (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any] ?? [:]
        }
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}
