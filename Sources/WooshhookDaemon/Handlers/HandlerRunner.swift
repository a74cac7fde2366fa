import Foundation
import Journal
import Logging
import Metrics
import Synchronization
import SystemSupport

/// Runs one handler on a thread of its own, after the 200 (README, "Handlers"): follows the journal from the handler's
/// cursor, retries a failing event with exponential backoff, dead-letters it after `max_attempts`, saves the
/// cursor after every finished event. Nothing here can slow or fail receiving: the receive path only calls
/// `notify`, which signals a condition.
final class HandlerRunner: @unchecked Sendable {
    // @unchecked: `stopping`, `wakeups` and `done` are guarded by `condition`; `follower` and `createdCursor` are
    // set by `prepare` before the thread starts; the rest is set in init or used only by the runner's thread.
    let configuration: HandlerConfiguration
    private let handler: any EventHandler
    private let journalDirectory: String
    private let cursor: HandlerCursor
    private let deadLetters: DeadLetterLog
    private let journalHead: @Sendable () -> UInt64
    private let logger: Logger
    private let clock: any HandlerClock
    private let condition = NSCondition()
    private var stopping = false
    private var wakeups = 0
    private var done = false
    private var position: UInt64 = 0
    private var follower: JournalFollower?
    private var createdCursor = false
    /// The seq of the last event finished, for `HandlerPipeline.waitUntilHandled`.
    private let progress = Atomic<UInt64>(0)
    private let lag: Gauge
    private let deadLettered: Counter
    private let handled: Counter

    /// First retry after this long, doubling up to `maximumBackoffSeconds`.
    static let initialBackoffSeconds = 0.2
    static let maximumBackoffSeconds = 60.0

    init(
        _ configuration: HandlerConfiguration, handler: any EventHandler, journalDirectory: String,
        journalHead: @escaping @Sendable () -> UInt64, logger: Logger, clock: any HandlerClock = SystemHandlerClock()
    ) {
        self.configuration = configuration
        self.handler = handler
        self.journalDirectory = journalDirectory
        cursor = HandlerCursor(directory: "\(journalDirectory)/cursors", name: configuration.name)
        deadLetters = DeadLetterLog(directory: "\(journalDirectory)/deadletters", name: configuration.name)
        self.journalHead = journalHead
        var logger = logger
        logger[metadataKey: "handler"] = "\(configuration.name)"
        self.logger = logger
        self.clock = clock
        let dimensions = [("handler", configuration.name)]
        lag = Gauge(label: "wooshhook_handler_lag_events", dimensions: dimensions)
        deadLettered = Counter(label: "wooshhook_handler_dead_letters_total", dimensions: dimensions)
        handled = Counter(label: "wooshhook_handler_events_total", dimensions: dimensions)
    }

    /// Everything about starting that can fail, with nothing running yet: loads the cursor (a handler seen for the
    /// first time starts at the journal's current end, saved now) and opens the journal at it.
    func prepare() throws(HandlerSetupError) {
        let saved = try cursor.load()
        position = saved ?? journalHead()
        if saved == nil {
            do {
                try cursor.save(position)
            } catch {
                throw HandlerSetupError("handler \"\(configuration.name)\": \(error)")
            }
            createdCursor = true
        }
        do {
            follower = try JournalFollower(directory: journalDirectory, afterSeq: position)
        } catch {
            throw HandlerSetupError("handler \"\(configuration.name)\": \(error)")
        }
        progress.store(position, ordering: .releasing)
    }

    /// Undoes `prepare` when the set it belongs to is refused: a cursor it created is removed, so the handler
    /// still counts as never run.
    func discard() {
        if createdCursor { unlink(cursor.path) }
        handler.shutDown()
    }

    /// Starts the thread (after `prepare`; cannot fail). With a `predecessor` (the runner of the same name in the
    /// handler set being replaced) it first waits for that one to end and resumes where it stopped, so two runners
    /// never work one cursor at once.
    func launch(after predecessor: HandlerRunner? = nil) {
        guard follower != nil else { return }
        logger.info("handler started", metadata: ["kind": "\(configuration.kind.name)", "cursor": "\(position)"])
        HandlerStatusBoard.shared.started(configuration.name, kind: configuration.kind.name)
        let thread = Thread { [self] in
            if let predecessor {
                position = max(position, predecessor.waitUntilDone())
                progress.store(position, ordering: .releasing)
            }
            run()
            handler.shutDown()
            HandlerStatusBoard.shared.stopped(configuration.name)
            condition.withLock {
                done = true
                condition.broadcast()
            }
        }
        thread.name = "handler-\(configuration.name)"
        thread.start()
    }

    /// New records were journaled.
    func notify() {
        condition.lock()
        wakeups += 1
        condition.signal()
        condition.unlock()
    }

    /// Asks the runner to stop; an event not finished is handled again after the restart.
    func requestStop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the runner's thread to end (after `requestStop`).
    func waitUntilStopped(timeoutSeconds: Double) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        let ended = condition.withLock {
            while !done && condition.wait(until: deadline) {}
            return done
        }
        if !ended {
            logger.warning("handler still busy at shutdown; its current event is handled again after the restart")
        }
    }

    /// Waits, without a limit, for the thread to end; the seq of the last event it finished.
    private func waitUntilDone() -> UInt64 {
        condition.withLock {
            while !done { condition.wait() }
        }
        return progress.load(ordering: .acquiring)
    }

    /// The seq of the last event finished (handled, dead-lettered or not of its types).
    var handledThrough: UInt64 { progress.load(ordering: .acquiring) }

    /// Whether the thread has ended.
    var isDone: Bool { condition.withLock { done } }

    private var isStopping: Bool { condition.withLock { stopping } }

    private func run() {
        while !isStopping {
            catchUp()
            // The idle wait is not part of the retry schedule, so it stays on the condition and the wall clock: a
            // test clock that returns at once would turn it into a busy loop.
            condition.lock()
            if wakeups == 0 && !stopping { _ = condition.wait(until: Date().addingTimeInterval(0.5)) }
            wakeups = 0
            condition.unlock()
        }
    }

    /// One pass over the journal: every durable record after the cursor, in order, then the lag. The thread makes
    /// one after each wake-up; the unit tests call it directly on a runner that is prepared but not launched.
    func catchUp() {
        guard let follower else { return }
        do {
            var pending: [JournalRecord] = []
            // Only what the journal has made durable: see `JournalFollower.poll(throughSeq:)`.
            for result in try follower.poll(throughSeq: journalHead()) {
                switch result {
                case .success(let record) where record.seq > position: pending.append(record)
                case .success: break
                case .failure(let damage): logger.warning("skipping a damaged journal line: \(damage)")
                }
            }
            var start = 0
            while start < pending.count && !isStopping {
                let end = min(pending.count, start + max(1, handler.batchLimit))
                if end - start == 1 {
                    process(pending[start])
                } else {
                    processBatch(pending[start..<end])
                }
                start = end
            }
        } catch {
            logger.error("cannot read the journal: \(error)")
        }
        lag.record(Double(journalHead().subtractingReportingOverflow(position).partialValue))
    }

    private func process(_ record: JournalRecord) {
        guard configuration.accepts(type: record.type) else {
            advance(to: record.seq)
            return
        }
        var backoff = Self.initialBackoffSeconds
        var lastError = ""
        for attempt in 1...configuration.maxAttempts {
            do {
                try handler.handle(record)
                HandlerStatusBoard.shared.succeeded(configuration.name)
                handled.increment()
                advance(to: record.seq)
                return
            } catch {
                // Interrupted by the shutdown (exec commands are killed): not the event's fault, not a dead letter.
                if isStopping { return }
                lastError = error.description
                HandlerStatusBoard.shared.failed(
                    configuration.name, error: lastError, atMilliseconds: SystemClock.nowMilliseconds())
                logger.warning(
                    "handler attempt failed",
                    metadata: ["event_id": "\(record.eventID)", "attempt": "\(attempt)", "error": "\(error)"])
            }
            if attempt < configuration.maxAttempts {
                guard pause(seconds: backoff) else { return }
                backoff = min(backoff * 2, Self.maximumBackoffSeconds)
            }
        }
        do {
            try deadLetters.record(record, attempts: configuration.maxAttempts, error: lastError)
        } catch {
            logger.error("cannot record a dead letter: \(error)", metadata: ["event_id": "\(record.eventID)"])
        }
        deadLettered.increment()
        logger.error(
            "event dead-lettered after \(configuration.maxAttempts) attempts",
            metadata: ["event_id": "\(record.eventID)", "seq": "\(record.seq)", "error": "\(lastError)"])
        advance(to: record.seq)
    }

    /// Several events in one call; on failure each is handled on its own, with retries and dead letters.
    private func processBatch(_ records: ArraySlice<JournalRecord>) {
        let accepted = records.filter { configuration.accepts(type: $0.type) }
        guard let last = records.last else { return }
        if accepted.isEmpty {
            advance(to: last.seq)
            return
        }
        do {
            try handler.handle(batch: accepted)
            handled.increment(by: Int64(accepted.count))
            advance(to: last.seq)
        } catch {
            if isStopping { return }
            logger.warning(
                "batch of \(accepted.count) failed, handling its events one by one", metadata: ["error": "\(error)"])
            for record in records where !isStopping { process(record) }
        }
    }

    private func advance(to seq: UInt64) {
        position = seq
        progress.store(seq, ordering: .releasing)
        do {
            try cursor.save(seq)
        } catch {
            logger.error("\(error)")
        }
    }

    /// Sleeps on the runner's clock unless stopping; false when the runner is stopping.
    private func pause(seconds: Double) -> Bool {
        let deadline = clock.now.addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopping && clock.now < deadline { clock.sleep(until: deadline, wakingOn: condition) }
        return !stopping
    }
}
