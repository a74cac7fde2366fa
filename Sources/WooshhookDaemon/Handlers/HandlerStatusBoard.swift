import Synchronization

/// What the status page shows of the running handlers that only their threads know: which run now (SIGHUP may
/// change the list) and each one's last error. Cursors and dead letters are read from their files.
final class HandlerStatusBoard: Sendable {
    /// One process, one set of handlers.
    static let shared = HandlerStatusBoard()

    /// A running handler as the status page shows it.
    struct Entry: Sendable {
        let name: String
        let kind: String
        var lastError: String?
        var lastErrorMilliseconds: Int64?
        /// Attempts that failed in a row, up to now (0 once an event succeeds).
        var failingAttempts = 0
    }

    private let state = Mutex<(running: [String], entries: [String: Entry])>(([], [:]))

    func started(_ name: String, kind: String) {
        state.withLock { state in
            if !state.running.contains(name) { state.running.append(name) }
            if state.entries[name]?.kind != kind {
                state.entries[name] = Entry(name: name, kind: kind)
            }
        }
    }

    func stopped(_ name: String) {
        state.withLock { $0.running.removeAll { $0 == name } }
    }

    func failed(_ name: String, error: String, atMilliseconds time: Int64) {
        state.withLock { state in
            state.entries[name]?.lastError = String(error.prefix(2000))
            state.entries[name]?.lastErrorMilliseconds = time
            state.entries[name]?.failingAttempts += 1
        }
    }

    func succeeded(_ name: String) {
        state.withLock { state in
            if state.entries[name]?.failingAttempts != 0 { state.entries[name]?.failingAttempts = 0 }
        }
    }

    /// The running handlers, in the order they started.
    var running: [Entry] {
        state.withLock { state in state.running.compactMap { state.entries[$0] } }
    }
}
