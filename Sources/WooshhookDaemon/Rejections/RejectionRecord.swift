import Foundation
import Journal

/// One line of the rejection log, read back (by `rejections` and the status page). The line is kept as it was, for
/// `--json`; the fields are for filtering and display. Everything in it came from an unauthenticated request.
public struct RejectionRecord: Sendable {
    public let line: [UInt8]
    public let time: String
    public let status: Int
    public let code: String
    public let remoteAddr: String?
    public let method: String?
    public let path: String?
    public let contentLength: Int?
    public let eventID: String?
    public let type: String?
    public let signatureT: String?
    /// On a summary line: how many rejections of this code it stands for (this one being the last of them).
    public let dropped: Int?

    /// nil when the line is not a rejection record (torn by a crash, or damaged).
    public static func decode(_ line: [UInt8]) -> RejectionRecord? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let time = object["time"] as? String, let code = object["code"] as? String,
            let status = object["status"] as? Int
        else { return nil }
        return RejectionRecord(
            line: line, time: time, status: status, code: code, remoteAddr: object["remote_addr"] as? String,
            method: object["method"] as? String, path: object["path"] as? String,
            contentLength: object["content_length"] as? Int, eventID: object["event_id"] as? String,
            type: object["type"] as? String, signatureT: object["signature_t"] as? String,
            dropped: object["dropped"] as? Int)
    }

    /// Epoch milliseconds of `time`.
    public var timeMilliseconds: Int64? { RecordTime.milliseconds(time) }

    /// The line as a JSON object, for embedding in `/status.json`.
    var jsonObject: Any? { try? JSONSerialization.jsonObject(with: Data(line)) }
}
