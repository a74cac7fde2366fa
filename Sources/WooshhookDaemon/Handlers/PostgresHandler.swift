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

    /// One multi-row INSERT per batch: a commit costs about a millisecond, so one row per commit would hold the
    /// handler near a thousand rows a second.
    var batchLimit: Int { 500 }

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        try handle(batch: [record])
    }

    func handle(batch: [JournalRecord]) throws(HandlerFailure) {
        do {
            try BlockingTask.run { [self] in try await insert(batch) }
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

    private func insert(_ records: [JournalRecord]) async throws {
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
        var sql = "INSERT INTO \(table) (event_id, type, livemode, created, received_at, receiver, body, payload, sha256) VALUES "
        var binds = PostgresBindings(capacity: records.count * 9)
        for (index, record) in records.enumerated() {
            let body = String(decoding: record.body, as: UTF8.self)
            let first = index * 9
            sql += index == 0 ? "" : ", "
            sql += "($\(first + 1), $\(first + 2), $\(first + 3), $\(first + 4), $\(first + 5)::timestamptz, "
                + "$\(first + 6), $\(first + 7), $\(first + 8)::jsonb, $\(first + 9))"
            binds.append(record.eventID)
            binds.append(record.type)
            binds.append(record.livemode)
            binds.append(record.created)
            binds.append(record.receivedAt)
            binds.append(receiver)
            binds.append(body)
            binds.append(body)
            binds.append(record.sha256)
        }
        sql += " ON CONFLICT (event_id) DO NOTHING"
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
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
