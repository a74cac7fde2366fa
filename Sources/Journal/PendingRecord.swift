import Hashing
import TextFormats

/// A record waiting for its seq: its fields and the raw body. Building the line (hashing and escaping
/// the body) happens where it does not hold up the bottleneck: with `fsync: always` the writer's write-and-sync
/// cycle is the bottleneck, so the appending thread builds it (`prepare`); otherwise the event loop is, and the
/// writer builds it straight into the batch it writes, with no line of its own allocated on one thread and freed
/// on another.
public struct PendingRecord: Sendable {
    /// The event id, as journaled.
    public let eventID: String
    /// When the request was received, in milliseconds since the epoch.
    public let receivedAtMilliseconds: Int64
    let type: String
    let livemode: Bool?
    let created: Int64?
    let remoteAddr: String
    let signatureT: String
    /// Valid UTF-8: the caller has decoded it as JSON. Emptied by `prepare`.
    private(set) var body: [UInt8]
    let reason: String?
    /// Everything of the line after `{"seq":N`, once `prepare` has run.
    private var prepared: [UInt8]?

    public init(
        receivedAtMilliseconds: Int64, eventID: String, type: String, livemode: Bool?, created: Int64?,
        remoteAddr: String, signatureT: String, body: [UInt8], reason: String? = nil
    ) {
        self.receivedAtMilliseconds = receivedAtMilliseconds
        self.eventID = eventID
        self.type = type
        self.livemode = livemode
        self.created = created
        self.remoteAddr = remoteAddr
        self.signatureT = signatureT
        self.body = body
        self.reason = reason
    }

    /// The dedupe key of `eventID`.
    var fingerprint: EventFingerprint { EventFingerprint(eventID: eventID.utf8) }

    /// About how many bytes the line takes (exact unless the body needs escapes), for reserving a batch.
    var estimatedLineLength: Int {
        prepared.map { $0.count + 32 } ?? body.count + eventID.utf8.count + type.utf8.count + 320
    }

    /// Builds the line now, on the calling thread, for `appendLine` to copy.
    mutating func prepare() {
        var fields: [UInt8] = []
        // Room for the body escaped at worst (`\u00XX` for every byte), so escaping never grows the array.
        fields.reserveCapacity(estimatedLineLength + body.count * 5)
        appendFields(to: &fields)
        prepared = fields
        // The line holds it now; the caller's copy is then the last, and is freed on the caller's thread.
        body = []
    }

    /// Appends the complete line for `seq`, ending in `\n`, laid out as `RecordLayout` says.
    func appendLine(seq: UInt64, to line: inout [UInt8]) {
        RecordLayout.append(RecordLayout.seq, to: &line)
        JSONEscaping.appendInteger(seq, to: &line)
        if let prepared {
            line.append(contentsOf: prepared)
        } else {
            appendFields(to: &line)
        }
    }

    /// Everything after `{"seq":N`.
    private func appendFields(to line: inout [UInt8]) {
        RecordLayout.append(RecordLayout.receivedAt, to: &line)
        RecordTime.append(receivedAtMilliseconds, to: &line)
        RecordLayout.append(RecordLayout.eventID, to: &line)
        JSONEscaping.appendString(eventID.utf8, to: &line)
        RecordLayout.append(RecordLayout.type, to: &line)
        JSONEscaping.appendString(type.utf8, to: &line)
        RecordLayout.append(RecordLayout.livemode, to: &line)
        line.append(contentsOf: (livemode.map { $0 ? "true" : "false" } ?? "null").utf8)
        RecordLayout.append(RecordLayout.created, to: &line)
        if let created {
            JSONEscaping.appendInteger(created, to: &line)
        } else {
            line.append(contentsOf: "null".utf8)
        }
        RecordLayout.append(RecordLayout.remoteAddr, to: &line)
        JSONEscaping.appendString(remoteAddr.utf8, to: &line)
        RecordLayout.append(RecordLayout.signatureT, to: &line)
        JSONEscaping.appendString(signatureT.utf8, to: &line)
        RecordLayout.append(RecordLayout.sha256, to: &line)
        body.withUnsafeBytes { body in
            SHA256.hash(body).withUnsafeBytes { Hex.append($0, to: &line) }
            RecordLayout.append(RecordLayout.body, to: &line)
            JSONEscaping.appendString(body, to: &line)
        }
        if let reason {
            RecordLayout.append(RecordLayout.reason, to: &line)
            JSONEscaping.appendString(reason.utf8, to: &line)
        }
        RecordLayout.append(RecordLayout.end, to: &line)
    }
}
