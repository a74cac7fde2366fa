import Foundation
import Logging
import Synchronization

/// Every configured handler (SPEC §4), each on its own `HandlerRunner`. The journal append is the built-in first
/// handler and the only one the 200 waits for; these run after it.
final class HandlerPipeline: Sendable {
    private let runners = Mutex<[HandlerRunner]>([])
    private let journalDirectory: String
    private let journalHead: @Sendable () -> UInt64
    private let logger: Logger

    init(journalDirectory: String, journalHead: @escaping @Sendable () -> UInt64, logger: Logger) {
        self.journalDirectory = journalDirectory
        self.journalHead = journalHead
        self.logger = logger
    }

    /// Builds and starts the handlers; nothing starts if any of them cannot be built.
    func start(_ configurations: [HandlerConfiguration]) throws(HandlerSetupError) {
        for directory in ["cursors", "deadletters"] {
            do {
                try DurableDirectory.create("\(journalDirectory)/\(directory)")
            } catch {
                throw HandlerSetupError("\(error)")
            }
        }
        var built: [HandlerRunner] = []
        for configuration in configurations {
            let handler = try HandlerRegistry.make(configuration, logger: logger)
            built.append(HandlerRunner(configuration, handler: handler, journalDirectory: journalDirectory,
                                       journalHead: journalHead, logger: logger))
        }
        for runner in built { try runner.start() }
        runners.withLock { $0 = built }
    }

    /// Called after every append: wakes the runners (a condition signal each, never blocking).
    func notify() {
        for runner in runners.withLock({ $0 }) { runner.notify() }
    }

    /// Stops every runner; running exec commands are killed and their events handled again after the restart.
    func stop(timeoutSeconds: Double = 10) {
        let current = runners.withLock { runners in
            defer { runners = [] }
            return runners
        }
        for runner in current { runner.requestStop() }
        ChildProcess.killAll()
        for runner in current { runner.waitUntilStopped(timeoutSeconds: timeoutSeconds) }
    }

    /// SIGHUP: the new handler list replaces the old one; each handler resumes at its own cursor.
    func reload(_ configurations: [HandlerConfiguration]) throws(HandlerSetupError) {
        // A kind that cannot be built refuses the reload before anything stops.
        for configuration in configurations { _ = try HandlerRegistry.make(configuration, logger: logger) }
        stop()
        try start(configurations)
    }

    var isEmpty: Bool { runners.withLock { $0.isEmpty } }
}
