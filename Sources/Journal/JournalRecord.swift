import Foundation
import Hashing
import TextFormats

/// One valid journal line, decoded. `line` is the exact bytes on disk (without the newline) so `tail --json`
/// prints what the journal holds, not a re-encoding.
public struct JournalRecord: Sendable {
    public let seq: UInt64
    /// `received_at` as written (UTC RFC 3339 with milliseconds).
    public let receivedAt: String
    public let eventID: String
    public let type: String
    public let livemode: Bool?
    public let created: Int64?
    public let remoteAddr: String?
    public let signatureT: String?
    /// Lowercase hex SHA-256 of `body`, checked on decoding.
    public let sha256: String
    /// The request body exactly as received.
    public let body: [UInt8]
    /// Why a quarantined record was refused; nil in the main journal.
    public let reason: String?
    /// The line as stored, without its `\n`.
    public let line: [UInt8]

    /// Received time in seconds since the epoch, or nil when `receivedAt` is not in the journal's format.
    public var receivedAtSeconds: Int64? { RecordTime.seconds(receivedAt.utf8) }

    private struct Fields: Decodable {
        let seq: UInt64
        let receivedAt: String
        let eventID: String
        let type: String
        let livemode: Bool?
        let created: Int64?
        let remoteAddr: String?
        let signatureT: String?
        let sha256: String
        let body: String
        let reason: String?

        /// The journal's keys (`RecordLayout` writes them).
        enum CodingKeys: String, CodingKey {
            case seq, type, livemode, created, sha256, body, reason
            case receivedAt = "received_at"
            case eventID = "event_id"
            case remoteAddr = "remote_addr"
            case signatureT = "signature_t"
        }
    }

    /// Decodes and checks one line (without `\n`); the error text says what is wrong with it.
    public static func decode(line: [UInt8]) -> Result<JournalRecord, RecordDecodingError> {
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(line))
        } catch let DecodingError.keyNotFound(key, _) {
            return .failure(RecordDecodingError("field \"\(key.stringValue)\" is missing"))
        } catch let DecodingError.typeMismatch(_, context) {
            return .failure(
                RecordDecodingError("field \"\(context.codingPath.last?.stringValue ?? "?")\" has the wrong type"))
        } catch {
            return .failure(RecordDecodingError(line.allSatisfy { $0 == 0 } ? "zero bytes" : "not valid JSON"))
        }
        let body = Array(fields.body.utf8)
        var digest: [UInt8] = []
        SHA256.hash(body).withUnsafeBytes { Hex.append($0, to: &digest) }
        guard digest.elementsEqual(fields.sha256.utf8) else {
            return .failure(RecordDecodingError("sha256 does not match the body"))
        }
        return .success(
            JournalRecord(
                seq: fields.seq, receivedAt: fields.receivedAt, eventID: fields.eventID, type: fields.type,
                livemode: fields.livemode, created: fields.created, remoteAddr: fields.remoteAddr,
                signatureT: fields.signatureT, sha256: fields.sha256, body: body, reason: fields.reason, line: line))
    }
}

/// Why a line is not a valid record.
public struct RecordDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
