import Synchronization

/// Completes one request, from any thread, exactly once (later calls are ignored). Off the loop thread the reply
/// is queued to the connection's loop and the loop is woken; if the client has gone meanwhile the reply is dropped
/// and counted.
public final class HTTPResponder: Sendable {
    private let connection: Connection
    private let sent = Atomic<Bool>(false)

    init(connection: Connection) {
        self.connection = connection
    }

    public func send(_ response: HTTPResponse) {
        guard !sent.exchange(true, ordering: .acquiringAndReleasing) else { return }
        connection.worker.post(response, to: connection)
    }
}
