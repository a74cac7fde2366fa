import CLibevent
import Foundation
import Glibc
import Logging
import Synchronization

/// One event-loop thread: its own event_base, its own listener on the shared socket, the connections it accepted,
/// and a mailbox through which other threads hand it replies (the one thread crossing of the server).
///
/// `@unchecked Sendable`: `connections` and the libevent objects are used only on the loop thread, except the
/// thread-safe call event_active, which evthread locks. The listener is paused and resumed
/// on its own loop only: evconnlistener_disable from another thread deadlocks with an accept callback that is
/// running (libevent 2.1 waits for the callback while holding the listener's lock, which the callback needs).
final class Worker: @unchecked Sendable {
    let base: OpaquePointer
    let configuration: ServerConfiguration
    let handler: any HTTPHandler
    let logger: Logger
    let counters: ServerCounters
    private unowned let server: Server
    private var listener: OpaquePointer?
    private var wakeup: OpaquePointer?
    private let mailbox = Mutex<[(Connection, HTTPResponse)]>([])
    private var isAccepting = true
    private let stopping = Atomic<Bool>(false)
    private var connections: [ObjectIdentifier: Connection] = [:]
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    var isDraining: Bool { server.isDraining }

    init(server: Server, listeningSocket: Int32) throws(ServerError) {
        // Not EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST: connections no longer toggle reading per request, so it would
        // save little, and libevent documents it as unsafe when an fd is closed and reused (or dup'd) within one
        // loop iteration, which short-lived connections do all the time.
        guard let base = event_base_new() else { throw ServerError("cannot create an event loop (event_base_new)") }
        self.base = base
        self.server = server
        configuration = server.configuration
        handler = server.handler
        logger = server.logger
        counters = server.counters
        let context = Unmanaged.passUnretained(self).toOpaque()
        // Required: replies, listener changes and `stop` all reach the loop through it.
        guard let wakeup = event_new(base, -1, 0, workerWakeupCallback, context) else {
            event_base_free(base)
            throw ServerError("cannot create the event loop's wake-up event (event_new failed)")
        }
        self.wakeup = wakeup
        let flags = LEV_OPT_REUSEABLE | LEV_OPT_THREADSAFE | LEV_OPT_CLOSE_ON_EXEC
        // Backlog 0: the socket is listening already (bound here or handed over by systemd), so this only fails
        // when memory runs out. The loop was never started: free what was made, or every failed start leaks it.
        guard let listener = evconnlistener_new(base, workerAcceptCallback, context, UInt32(flags), 0, listeningSocket)
        else {
            release()
            throw ServerError("cannot listen on the socket (evconnlistener_new failed)")
        }
        self.listener = listener
    }

    /// Frees the listener, the wake-up event and the event base, for a worker whose loop never ran (a server
    /// whose start failed part-way). Connections are none yet, so nothing else refers to the base.
    func release() {
        if let listener {
            evconnlistener_free(listener)
            self.listener = nil
        }
        if let wakeup {
            event_free(wakeup)
            self.wakeup = nil
        }
        event_base_free(base)
    }

    func start() {
        let thread = Thread { [self] in
            // One iteration per call (ONCE: wait, then run everything that is ready), so the handler hears where
            // each iteration ends. NO_EXIT_ON_EMPTY: when the listener is paused (connection cap, shutdown) and
            // every connection is waiting for the journal, nothing is pending, and the loop must still wait for
            // the replies that will be posted to the mailbox.
            while !stopping.load(ordering: .acquiring) {
                let status = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY)
                handler.eventLoopIterationEnded()
                // -1: the backend's wait itself failed; calling again would only spin on the same failure.
                if status < 0 {
                    logger.critical("event loop failed (event_base_loop returned -1); this loop stops")
                    break
                }
            }
            finished.signal()
        }
        thread.name = "wooshhook-loop"
        thread.start()
        self.thread = thread
    }

    /// Any thread: stop the loop and wait for it. Not event_base_loopbreak: a break requested between two
    /// iterations is cleared when the next one starts; an active wake-up event stays until the loop runs it, and
    /// running it ends the iteration, after which the loop sees `stopping`.
    func stop() {
        stopping.store(true, ordering: .releasing)
        if let wakeup { event_active(wakeup, 0, 0) }
        finished.wait()
    }

    /// Any thread: have the loop pause or resume its listener, as the server now wants, on its next iteration.
    func reconsiderAccepting() {
        if let wakeup { event_active(wakeup, 0, 0) }
    }

    private func applyAccepting() {
        let wanted = server.wantsConnections
        guard wanted != isAccepting, let listener else { return }
        isAccepting = wanted
        if wanted { evconnlistener_enable(listener) } else { evconnlistener_disable(listener) }
    }

    /// Any thread: queue a reply for a connection of this loop.
    func post(_ response: HTTPResponse, to connection: Connection) {
        let wasEmpty = mailbox.withLock { queue in
            queue.append((connection, response))
            return queue.count == 1
        }
        if wasEmpty, let wakeup { event_active(wakeup, 0, 0) }
    }

    fileprivate func wakeUp() {
        applyAccepting()
        drainMailbox()
    }

    private func drainMailbox() {
        let replies = mailbox.withLock { queue in
            let taken = queue
            queue.removeAll(keepingCapacity: true)
            return taken
        }
        for (connection, response) in replies { connection.deliver(response) }
    }

    fileprivate func accept(fd: Int32, address: UnsafeMutablePointer<sockaddr>?) {
        let peer = address.map(Self.describe) ?? "unknown"
        guard let connection = Connection(worker: self, fd: fd, peerAddress: peer) else { return }
        connections[ObjectIdentifier(connection)] = connection
        server.connectionOpened()
        // At the cap, stop this listener before it accepts the rest of the backlog in this same callback.
        applyAccepting()
    }

    func connectionClosed(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = nil
        server.connectionClosed()
    }

    /// The bare IP of a peer; IPv4-mapped IPv6 addresses are shown as IPv4.
    static func describe(_ address: UnsafeMutablePointer<sockaddr>) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
            }
        case AF_INET6:
            var mapped = false
            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                let bytes = withUnsafeBytes(of: &raw) { Array($0) }
                if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                    var v4 = in_addr()
                    withUnsafeMutableBytes(of: &v4) { $0.copyBytes(from: bytes[12..<16]) }
                    _ = inet_ntop(AF_INET, &v4, &text, socklen_t(text.count))
                    mapped = true
                }
                if !mapped { _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) }
            }
        default:
            return "unknown"
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

private func workerWakeupCallback(_ fd: Int32, _ events: Int16, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<Worker>.fromOpaque(context).takeUnretainedValue().wakeUp()
}

private func workerAcceptCallback(
    _ listener: OpaquePointer?, _ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: Int32,
    _ context: UnsafeMutableRawPointer?
) {
    guard let context else {
        close(fd)
        return
    }
    Unmanaged<Worker>.fromOpaque(context).takeUnretainedValue().accept(fd: fd, address: address)
}
