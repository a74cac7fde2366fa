import Journal
import WooshPay

/// One rejected request as the rejection log keeps it: what the operator needs to tell why a delivery was refused,
/// and nothing a sender could use (never a body, a signature header value or a secret).
///
/// Built on the event loop for every rejection, so it only holds strings the request already had; the writer
/// thread bounds and encodes them.
struct RejectionEntry: Sendable {
    /// The fields of a request whose signature was authentic.
    struct Authentic: Sendable {
        /// `t` exactly as sent.
        var signatureT: String
        /// nil when the body is not an event.
        var eventID: String?
        var type: String?

        init(signatureT: String, eventID: String? = nil, type: String? = nil) {
            self.signatureT = signatureT
            self.eventID = eventID
            self.type = type
        }
    }

    var timeMilliseconds: Int64
    var code: RejectionCode
    /// The client, resolved through `trusted_proxies`.
    var remoteAddr: String
    /// nil when the server refused a head it could not parse.
    var method: String?
    var path: String?
    var contentLength: Int?
    var authentic: Authentic?

    init(
        timeMilliseconds: Int64, code: RejectionCode, remoteAddr: String, method: String?, path: String?,
        contentLength: Int?, authentic: Authentic? = nil
    ) {
        self.timeMilliseconds = timeMilliseconds
        self.code = code
        self.remoteAddr = remoteAddr
        self.method = method
        self.path = path
        self.contentLength = contentLength
        self.authentic = authentic
    }

    /// Longest kept text of a field, in bytes: a line stays well under a kilobyte and a half whatever was sent.
    static let maximumFieldBytes = 256

    /// The log line, newline included: `{"time":…,"status":…,"code":…,"remote_addr":…,"method":…,"path":…,
    /// "content_length":…}` plus `event_id`, `type`, `signature_t` when authentic, and `dropped` on a line that
    /// stands for `dropped` more rejections of its code that were not written one by one.
    func line(dropped: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "{\"time\":\"".utf8)
        RecordTime.append(timeMilliseconds, to: &out)
        out.append(contentsOf: "\",\"status\":\(code.httpStatus),\"code\":\"\(code.rawValue)\",\"remote_addr\":".utf8)
        Self.append(remoteAddr, to: &out)
        out.append(contentsOf: ",\"method\":".utf8)
        Self.append(method, limit: 32, to: &out)
        out.append(contentsOf: ",\"path\":".utf8)
        Self.append(path, to: &out)
        out.append(contentsOf: ",\"content_length\":".utf8)
        out.append(contentsOf: (contentLength.map { String($0) } ?? "null").utf8)
        if let authentic {
            out.append(contentsOf: ",\"event_id\":".utf8)
            Self.append(authentic.eventID, to: &out)
            out.append(contentsOf: ",\"type\":".utf8)
            Self.append(authentic.type, to: &out)
            out.append(contentsOf: ",\"signature_t\":".utf8)
            Self.append(authentic.signatureT, limit: 32, to: &out)
        }
        if dropped > 0 { out.append(contentsOf: ",\"dropped\":\(dropped)".utf8) }
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// A JSON string of at most `limit` bytes of `text` (cut on a character boundary), or null.
    private static func append(_ text: String?, limit: Int = maximumFieldBytes, to out: inout [UInt8]) {
        guard let text else { return out.append(contentsOf: "null".utf8) }
        guard text.utf8.count > limit else { return JSONEscaping.appendString(text.utf8, to: &out) }
        var cut = text.utf8.prefix(limit)
        // Back off continuation bytes so a multi-byte character is dropped whole, not split.
        while let last = cut.last, last & 0xC0 == 0x80 { cut = cut.dropLast() }
        if let last = cut.last, last >= 0xC0 { cut = cut.dropLast() }
        JSONEscaping.appendString(Array(cut) + Array("…".utf8), to: &out)
    }
}
