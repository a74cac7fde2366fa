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

    /// `running` keeps the start order; `runners` counts the runners of each name, because at a reload the new
    /// runner of a handler starts before the old one of the same name has ended.
    private let state = Mutex<(running: [String], runners: [String: Int], entries: [String: Entry])>(([], [:], [:]))

    func started(_ name: String, kind: String) {
        state.withLock { state in
            state.runners[name, default: 0] += 1
            if !state.running.contains(name) { state.running.append(name) }
            if state.entries[name]?.kind != kind {
                state.entries[name] = Entry(name: name, kind: kind)
            }
        }
    }

    func stopped(_ name: String) {
        state.withLock { state in
            let left = (state.runners[name] ?? 1) - 1
            state.runners[name] = left > 0 ? left : nil
            if left <= 0 { state.running.removeAll { $0 == name } }
        }
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
