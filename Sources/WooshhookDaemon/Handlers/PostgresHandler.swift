import Foundation
import Journal
import Logging
import NIOSSL
import PostgresNIO

/// `kind: postgres` (SPEC §4): inserts each event into a table shared by any number of receivers, with
/// `ON CONFLICT (event_id) DO NOTHING`, so a delivery that reached several receivers is one row. The table is created
/// when missing. It is an ordinary handler: a database that is down fails the attempt (retried, then
/// dead-lettered) on the handler's own thread and never touches receiving.
final class PostgresHandler: EventHandler, @unchecked Sendable {
    // @unchecked: `connection` and `tableReady` are used only from the handler's thread (and `shutDown` after it).
    private let name: String
    private let settings: PostgresSettings
    private let table: String
    private let receiver: String
    private let logger: Logger
    private var connection: PostgresConnection?
    private var tableReady = false

    init(name: String, url: String, passwordFile: String?, table: String, logger: Logger) throws(HandlerSetupError) {
        self.name = name
        settings = try PostgresSettings(url: url, passwordFile: passwordFile, handler: name)
        self.table = table
        self.logger = logger
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        receiver = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        do {
            try BlockingTask.run { [self] in try await insert(record) }
        } catch let failure as HandlerFailure {
            throw failure
        } catch {
            // The connection may be broken: the next attempt connects again.
            dropConnection()
            throw HandlerFailure("postgres \(settings.place): \(Self.explain(error))")
        }
    }

    func shutDown() {
        dropConnection()
    }

    private func insert(_ record: JournalRecord) async throws {
        let connection = try await connected()
        if !tableReady {
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: table) (
                    event_id text PRIMARY KEY, type text NOT NULL, livemode boolean, created bigint,
                    received_at timestamptz NOT NULL, receiver text NOT NULL, body text NOT NULL,
                    payload jsonb NOT NULL, sha256 text NOT NULL)
                """, logger: logger)
            tableReady = true
        }
        let body = String(decoding: record.body, as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO \(unescaped: table)
                (event_id, type, livemode, created, received_at, receiver, body, payload, sha256)
            VALUES (\(record.eventID), \(record.type), \(record.livemode), \(record.created),
                \(record.receivedAt)::timestamptz, \(receiver), \(body), \(body)::jsonb, \(record.sha256))
            ON CONFLICT (event_id) DO NOTHING
            """, logger: logger)
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let fresh = try await PostgresConnection.connect(
            configuration: try settings.connectionConfiguration(), id: 1, logger: logger)
        connection = fresh
        tableReady = false
        return fresh
    }

    /// Closes and forgets the connection, waiting for the close: PostgresNIO requires a connection to be closed
    /// before its last reference goes.
    private func dropConnection() {
        guard let connection else { return }
        self.connection = nil
        try? BlockingTask.run { try await connection.close() }
    }

    /// The server's own message when there is one ("password authentication failed for user …", "column … does
    /// not exist"), else the connection error.
    static func explain(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}

/// Runs async work to completion from a handler's own (non-async) thread, which may block while it waits.
enum BlockingTask {
    static func run(_ work: @escaping @Sendable () async throws -> Void) throws {
        let outcome = OutcomeSlot()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await work()
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    private final class OutcomeSlot: @unchecked Sendable {
        // @unchecked: written by the task before `done.signal()`, read after `done.wait()`.
        var error: (any Error)?
    }
}
