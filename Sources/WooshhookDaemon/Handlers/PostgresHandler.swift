import Foundation
import Journal
import Logging

/// `kind: postgres`: inserts each event into a table shared by any number of receivers, with
/// `ON CONFLICT (event_id) DO NOTHING`, so a delivery that reached several receivers is one row. The table is created
/// when missing. It is an ordinary handler on libpq's blocking calls: a database that is down fails the attempt
/// (retried, then dead-lettered) on the handler's own thread and never touches receiving.
final class PostgresHandler: EventHandler, @unchecked Sendable {
    // @unchecked: `connection` and `tableReady` are used only from the handler's thread (and `shutDown` after it).
    private let name: String
    private let settings: PostgresSettings
    /// The table's name quoted as an SQL identifier. The configuration allows only letters, digits and `_`, and an
    /// unquoted name is folded to lower case by PostgreSQL, so the quoted lower-case name is the same table an
    /// unquoted one would be, and a reserved word (`user`) works too.
    private let quotedTable: String
    private let receiver: String
    private let logger: Logger
    private var connection: PostgresConnection?
    private var tableReady = false

    init(name: String, url: String, passwordFile: String?, table: String, logger: Logger) throws(HandlerSetupError) {
        self.name = name
        settings = try PostgresSettings(url: url, passwordFile: passwordFile, handler: name)
        quotedTable = "\"" + table.lowercased().replacingOccurrences(of: "\"", with: "\"\"") + "\""
        self.logger = logger
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        receiver = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One multi-row INSERT per batch: a commit costs about a millisecond, so one row per commit would hold the
    /// handler near a thousand rows a second. 500 rows of 9 values stay far below PostgreSQL's 65535 parameters.
    var batchLimit: Int { 500 }

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        try handle(batch: [record])
    }

    func handle(batch: [JournalRecord]) throws(HandlerFailure) {
        do {
            try insert(batch)
        } catch {
            // The connection may be broken, or the table dropped behind our back: the next attempt connects again
            // and checks the table again.
            connection = nil
            throw HandlerFailure("postgres \(settings.place): \(error)")
        }
    }

    func shutDown() {
        connection = nil
    }

    private func insert(_ records: [JournalRecord]) throws(PostgresError) {
        let connection = try connected()
        if !tableReady {
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS \(quotedTable) (
                    event_id text PRIMARY KEY, type text NOT NULL, livemode boolean, created bigint,
                    received_at timestamptz NOT NULL, receiver text NOT NULL, body text NOT NULL,
                    payload jsonb NOT NULL, sha256 text NOT NULL)
                """)
            tableReady = true
        }
        var sql =
            "INSERT INTO \(quotedTable) "
            + "(event_id, type, livemode, created, received_at, receiver, body, payload, sha256) VALUES "
        var parameters: [[UInt8]?] = []
        parameters.reserveCapacity(records.count * 9)
        for (index, record) in records.enumerated() {
            let first = index * 9
            sql += index == 0 ? "" : ", "
            sql +=
                "($\(first + 1), $\(first + 2), $\(first + 3)::boolean, $\(first + 4)::bigint, "
                + "$\(first + 5)::timestamptz, $\(first + 6), $\(first + 7), $\(first + 8)::jsonb, $\(first + 9))"
            parameters.append(Array(record.eventID.utf8))
            parameters.append(Array(record.type.utf8))
            parameters.append(record.livemode.map { Array(($0 ? "true" : "false").utf8) })
            parameters.append(record.created.map { Array(String($0).utf8) })
            parameters.append(Array(record.receivedAt.utf8))
            parameters.append(Array(receiver.utf8))
            parameters.append(record.body)
            parameters.append(record.body)
            parameters.append(Array(record.sha256.utf8))
        }
        sql += " ON CONFLICT (event_id) DO NOTHING"
        try connection.execute(sql, parameters: parameters)
    }

    private func connected() throws(PostgresError) -> PostgresConnection {
        if let connection, connection.isOpen { return connection }
        connection = nil
        let fresh = try PostgresConnection(parameters: settings.connectionParameters)
        connection = fresh
        tableReady = false
        return fresh
    }
}
