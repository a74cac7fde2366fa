/// One human line per rejection for `rejections`: time, status, code, client, method and path, length, and for an
/// authentic request the event; a summary line says how many it stands for.
public enum RejectionLine {
    public static func human(_ record: RejectionRecord, colour: Bool = false) -> String {
        let statusColour = record.status >= 500 ? "\u{1B}[31m" : "\u{1B}[33m"
        let code = safe(record.code)
        var fields = [
            safe(record.time), paint("\(record.status)", colour ? statusColour : nil),
            paint(code, colour ? "\u{1B}[1m" : nil),
            safe(record.remoteAddr ?? "-"), safe("\(record.method ?? "-") \(record.path ?? "-")"),
            record.contentLength.map { "len=\($0)" } ?? "len=-",
        ]
        if let signatureT = record.signatureT {
            fields.append(safe("\(record.eventID ?? "-") \(record.type ?? "-") t=\(signatureT)"))
        }
        if let dropped = record.dropped {
            fields.append(
                paint("(+\(dropped) more \(code) not logged one by one; this is the last)", colour ? "\u{1B}[2m" : nil))
        }
        return fields.joined(separator: "  ")
    }

    /// Text from the log comes from outside (an authentic body's `event_id` and `type` included): C0 and C1 control
    /// characters, ESC among them, would drive the terminal, so each becomes `?` before our own colours are added.
    private static func safe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "?" : scalar
                }))
    }

    private static func paint(_ text: String, _ code: String?) -> String {
        guard let code else { return text }
        return code + text + "\u{1B}[0m"
    }
}
