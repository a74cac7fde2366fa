import Crypto

/// A record waiting for its seq. Building it does the costly part (SHA-256 of the body, escaping the body, the line
/// bytes after the seq) on the caller's thread, so event loops do it in parallel and the single writer thread only
/// prepends `{"seq":N,` to bytes that are ready.
public struct PendingRecord: Sendable {
    /// The event id, as journaled.
    public let eventID: String
    /// When the request was received, in milliseconds since the epoch.
    public let receivedAtMilliseconds: Int64
    /// Everything of the line after `{"seq":N,`, ending in `}\n`.
    let tail: [UInt8]
    let fingerprint: EventFingerprint

    /// Builds the record in SPEC §3's field order. `body` must be valid UTF-8 (the caller has decoded it as JSON).
    public init(
        receivedAtMilliseconds: Int64, eventID: String, type: String, livemode: Bool?, created: Int64?,
        remoteAddr: String, signatureT: String, body: UnsafeRawBufferPointer, reason: String? = nil
    ) {
        self.eventID = eventID
        self.receivedAtMilliseconds = receivedAtMilliseconds
        fingerprint = EventFingerprint(eventID: eventID.utf8)
        var line: [UInt8] = []
        line.reserveCapacity(body.count + body.count / 8 + 320)
        line.append(contentsOf: "\"received_at\":\"".utf8)
        RecordTime.append(receivedAtMilliseconds, to: &line)
        line.append(contentsOf: "\",\"event_id\":".utf8)
        JSONEscaping.appendString(eventID.utf8, to: &line)
        line.append(contentsOf: ",\"type\":".utf8)
        JSONEscaping.appendString(type.utf8, to: &line)
        line.append(contentsOf: ",\"livemode\":".utf8)
        line.append(contentsOf: (livemode.map { $0 ? "true" : "false" } ?? "null").utf8)
        line.append(contentsOf: ",\"created\":".utf8)
        if let created {
            JSONEscaping.appendInteger(created, to: &line)
        } else {
            line.append(contentsOf: "null".utf8)
        }
        line.append(contentsOf: ",\"remote_addr\":".utf8)
        JSONEscaping.appendString(remoteAddr.utf8, to: &line)
        line.append(contentsOf: ",\"signature_t\":".utf8)
        JSONEscaping.appendString(signatureT.utf8, to: &line)
        line.append(contentsOf: ",\"sha256\":\"".utf8)
        JSONEscaping.appendHex(SHA256.hash(data: body), to: &line)
        line.append(contentsOf: "\",\"body\":".utf8)
        JSONEscaping.appendString(body, to: &line)
        if let reason {
            line.append(contentsOf: ",\"reason\":".utf8)
            JSONEscaping.appendString(reason.utf8, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        tail = line
    }

    /// Convenience for callers holding an array.
    public init(
        receivedAtMilliseconds: Int64, eventID: String, type: String, livemode: Bool?, created: Int64?,
        remoteAddr: String, signatureT: String, body: [UInt8], reason: String? = nil
    ) {
        self = body.withUnsafeBytes { bytes in
            PendingRecord(
                receivedAtMilliseconds: receivedAtMilliseconds, eventID: eventID, type: type, livemode: livemode,
                created: created, remoteAddr: remoteAddr, signatureT: signatureT, body: bytes, reason: reason)
        }
    }

    /// The complete line for `seq`, appended to `out`.
    func appendLine(seq: UInt64, to out: inout [UInt8]) {
        out.append(contentsOf: "{\"seq\":".utf8)
        JSONEscaping.appendInteger(seq, to: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: tail)
    }
}
