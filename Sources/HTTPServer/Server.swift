import CLibevent
import Foundation
import Glibc
public import Logging
import Synchronization

/// The HTTP/1.1 server: `workers` event loops accepting on one listening socket (bound here, or handed over by
/// systemd), bounded in connections, head size, body size and read time. It knows nothing of routes or webhooks;
/// requests go to the `HTTPHandler`.
public final class Server: Sendable {
    let configuration: ServerConfiguration
    let handler: any HTTPHandler
    let logger: Logger
    let counters = ServerCounters()
    private let state = Mutex<State>(State())
    private let draining = Atomic<Bool>(false)
    private let accepting = Atomic<Bool>(false)

    private struct State: @unchecked Sendable {
        // @unchecked: guarded by the mutex; the workers themselves are thread-confined except their safe calls.
        var workers: [Worker] = []
        var socket: Int32 = -1
        var port = 0
        var stopped = false
    }

    private static let libeventThreads: Bool = evthread_use_pthreads() == 0

    public init(configuration: ServerConfiguration, handler: any HTTPHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    /// Binds (or adopts the inherited socket) and starts the loops; returns once connections are accepted.
    public func start() throws(ServerError) {
        guard Self.libeventThreads else { throw ServerError("libevent has no thread support (evthread_use_pthreads)") }
        signal(SIGPIPE, SIG_IGN)
        let socket: Int32
        switch configuration.listen {
        case .tcp(let host, let port): socket = try ListeningSocket.bind(host: host, port: port)
        case .inheritedSocket(let fd): socket = try ListeningSocket.adopt(fd)
        }
        var workers: [Worker] = []
        for _ in 0..<configuration.workers {
            do {
                workers.append(try Worker(server: self, listeningSocket: socket))
            } catch {
                // The workers made so far never started: free their loops too, not only the socket.
                for worker in workers { worker.release() }
                close(socket)
                throw error
            }
        }
        let port = ListeningSocket.port(of: socket)
        state.withLock {
            $0.workers = workers
            $0.socket = socket
            $0.port = port
        }
        accepting.store(true, ordering: .relaxed)
        for worker in workers { worker.start() }
    }

    /// The port connections arrive on (the real one when configured as 0).
    public var boundPort: Int { state.withLock { $0.port } }

    public var statistics: ServerStatistics { counters.snapshot }

    var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// New connections stay in the backlog from now on; open ones keep working.
    public func stopAccepting() {
        accepting.store(false, ordering: .sequentiallyConsistent)
        reconsiderAccepting()
    }

    /// Whether the listeners should take new connections: not once stopped, nor while the cap is reached.
    var wantsConnections: Bool {
        accepting.load(ordering: .sequentiallyConsistent)
            && counters.openConnections.load(ordering: .sequentiallyConsistent) < configuration.maxConnections
    }

    private func reconsiderAccepting() {
        for worker in state.withLock({ $0.workers }) { worker.reconsiderAccepting() }
    }

    /// Stops accepting, waits up to `gracePeriodSeconds` for requests being handled to be answered (connections
    /// that ask for more meanwhile are answered and closed), then stops the loops and joins their threads.
    public func shutdown(gracePeriodSeconds: Double) {
        let workers = state.withLock { state -> [Worker] in
            guard !state.stopped else { return [] }
            state.stopped = true
            return state.workers
        }
        guard !workers.isEmpty else { return }
        draining.store(true, ordering: .relaxed)
        stopAccepting()
        let deadline = Date().addingTimeInterval(gracePeriodSeconds)
        while counters.inFlight.load(ordering: .relaxed) > 0 && Date() < deadline {
            usleep(5_000)
        }
        // Let replies posted just now reach their sockets before the loops stop.
        usleep(50_000)
        let unanswered = counters.inFlight.load(ordering: .relaxed)
        if unanswered > 0 {
            logger.warning(
                "shutdown grace period over with requests unanswered", metadata: ["requests": "\(unanswered)"])
        }
        for worker in workers { worker.stop() }
        state.withLock { state in
            if state.socket >= 0 { close(state.socket) }
            state.socket = -1
        }
    }

    func connectionOpened() {
        let open = counters.openConnections.add(1, ordering: .sequentiallyConsistent).newValue
        if open >= configuration.maxConnections { reconsiderAccepting() }
    }

    func connectionClosed() {
        let open = counters.openConnections.subtract(1, ordering: .sequentiallyConsistent).newValue
        if open == configuration.maxConnections - 1 { reconsiderAccepting() }
    }
}
