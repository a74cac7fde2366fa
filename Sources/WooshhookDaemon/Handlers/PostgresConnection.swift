import CLibpq
import Foundation

/// One libpq connection, opened and used from the postgres handler's own thread only; every call blocks that
/// thread, never receiving.
final class PostgresConnection {
    private let connection: OpaquePointer

    /// Connects with libpq keywords (`host`, `port`, `dbname`, `user`, `password`, `sslmode`, …) passed one by one,
    /// never as a conninfo string, so a password never sits in a string libpq might echo in an error.
    init(parameters: [(keyword: String, value: String)]) throws(PostgresError) {
        let keywords = parameters.map { strdup($0.keyword) } + [nil]
        let values = parameters.map { strdup($0.value) } + [nil]
        defer {
            for keyword in keywords { free(keyword) }
            for value in values { free(value) }
        }
        let opened = keywords.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { keywords in
            values.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { values in
                // expand_dbname 0: a dbname that looks like a URL stays a database name.
                PQconnectdbParams(keywords.baseAddress, values.baseAddress, 0)
            }
        }
        guard let opened else { throw PostgresError("out of memory opening a connection") }
        guard PQstatus(opened) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(opened))
            PQfinish(opened)
            throw PostgresError(message)
        }
        connection = opened
    }

    /// Whether the connection is still usable (false after the server went away).
    var isOpen: Bool { PQstatus(connection) == CONNECTION_OK }

    /// Runs one statement with `$1`, `$2`, … bound to `parameters` (text; nil is NULL), in its own implicit
    /// transaction: it is committed when this returns.
    func execute(_ sql: String, parameters: [[UInt8]?] = []) throws(PostgresError) {
        // One buffer holds every value, each followed by the NUL that libpq's text format needs.
        var storage: [UInt8] = []
        storage.reserveCapacity(parameters.reduce(0) { $0 + ($1?.count ?? 0) + 1 })
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for value in parameters {
            guard let value else {
                offsets.append(nil)
                continue
            }
            guard !value.contains(0) else {
                throw PostgresError("a value holds a NUL byte, which PostgreSQL's text cannot store")
            }
            offsets.append(storage.count)
            storage.append(contentsOf: value)
            storage.append(0)
        }
        let result = storage.withUnsafeBufferPointer { storage in
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in
                guard let offset, let base = storage.baseAddress else { return nil }
                return UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self)
            }
            return PQexecParams(connection, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return
        default:
            // The server's own words ("column … does not exist") when it answered, else libpq's (connection lost).
            if let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))) {
                throw PostgresError(Self.message(primary))
            }
            throw PostgresError(Self.message(PQerrorMessage(connection)))
        }
    }

    /// libpq's messages end in a newline and may span lines; a log line needs one.
    private static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown libpq error" }
        let words = String(cString: text).split(whereSeparator: { $0 == "\n" || $0 == "\t" })
        return words.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    deinit { PQfinish(connection) }
}
