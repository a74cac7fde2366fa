import Foundation
import Logging
import Synchronization

/// Every configured handler (README, "Handlers"), each on its own `HandlerRunner`. The journal append is the built-in
/// first handler and the only one the 200 waits for; these run after it.
final class HandlerPipeline: Sendable {
    private let runners = Mutex<[HandlerRunner]>([])
    /// Runners replaced by a reload that may still be finishing their current event.
    private let retiring = Mutex<[HandlerRunner]>([])
    private let journalDirectory: String
    private let journalHead: @Sendable () -> UInt64
    private let logger: Logger

    init(journalDirectory: String, journalHead: @escaping @Sendable () -> UInt64, logger: Logger) {
        self.journalDirectory = journalDirectory
        self.journalHead = journalHead
        self.logger = logger
    }

    /// Builds and starts the handlers; nothing starts if any of them cannot be built or prepared (`HandlerSet`).
    func start(_ configurations: [HandlerConfiguration]) throws(HandlerSetupError) {
        for directory in ["cursors", "deadletters"] {
            do {
                try DurableDirectory.create("\(journalDirectory)/\(directory)")
            } catch {
                throw HandlerSetupError("\(error)")
            }
        }
        let built = try HandlerSet.prepare(
            configurations, journalDirectory: journalDirectory, journalHead: journalHead, logger: logger)
        runners.withLock { $0 = built }
        for runner in built { runner.launch() }
    }

    /// Called after every append: wakes the runners (a condition signal each, never blocking).
    func notify() {
        for runner in runners.withLock({ $0 }) { runner.notify() }
    }

    /// Stops every runner; running exec commands are killed and their events handled again after the restart.
    func stop(timeoutSeconds: Double = 10) {
        let current =
            runners.withLock { runners in
                defer { runners = [] }
                return runners
            } + retiring.withLock { $0 }
        for runner in current { runner.requestStop() }
        ChildProcess.killAll()
        for runner in current { runner.waitUntilStopped(timeoutSeconds: timeoutSeconds) }
    }

    /// SIGHUP: the new handler set is built and started before the old one stops, so a reload never leaves events
    /// unhandled. Everything that can fail (building each handler, reading its cursor, opening the journal) happens
    /// first; if anything fails the old set runs on untouched and the error is thrown. A handler in both sets (same
    /// name, same cursor) is taken over, not run twice: the new runner waits for the old one to finish its current
    /// event and resumes at its cursor. Old runners are not interrupted: a command running now completes.
    func reload(_ configurations: [HandlerConfiguration]) throws(HandlerSetupError) {
        let fresh = try HandlerSet.prepare(
            configurations, journalDirectory: journalDirectory, journalHead: journalHead, logger: logger)
        let old = runners.withLock { runners in
            defer { runners = fresh }
            return runners
        }
        // A runner retired by an earlier reload may still be finishing an event of a handler that is now back
        // (removed, then added again): it is a predecessor too. The newest runner of a name wins, and it waits for
        // its own predecessor in turn, so the chain never lets two runners work one cursor.
        let stillRetiring = retiring.withLock { $0.filter { !$0.isDone } }
        let predecessors = Dictionary((stillRetiring + old).map { ($0.configuration.name, $0) }) { _, newer in newer }
        for runner in fresh { runner.launch(after: predecessors[runner.configuration.name]) }
        for runner in old { runner.requestStop() }
        retiring.withLock { $0 = $0.filter { !$0.isDone } + old }
        notify()
    }

    /// Blocks until every runner has finished every event up to `seq` (handled, dead-lettered, or not of its types).
    func waitUntilHandled(through seq: UInt64) {
        while runners.withLock({ $0.contains { $0.handledThrough < seq } }) {
            notify()
            usleep(20_000)
        }
    }

    var isEmpty: Bool { runners.withLock { $0.isEmpty } }
}
