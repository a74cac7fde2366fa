/// One human line per rejection for `rejections`: time, status, code, client, method and path, length, and for an
/// authentic request the event; a summary line says how many it stands for.
public enum RejectionLine {
    public static func human(_ record: RejectionRecord, colour: Bool = false) -> String {
        let statusColour = record.status >= 500 ? "\u{1B}[31m" : "\u{1B}[33m"
        var fields = [
            record.time, paint("\(record.status)", colour ? statusColour : nil), paint(record.code, colour ? "\u{1B}[1m" : nil),
            record.remoteAddr ?? "-", "\(record.method ?? "-") \(record.path ?? "-")",
            record.contentLength.map { "len=\($0)" } ?? "len=-",
        ]
        if let signatureT = record.signatureT {
            fields.append("\(record.eventID ?? "-") \(record.type ?? "-") t=\(signatureT)")
        }
        if let dropped = record.dropped {
            fields.append(paint("(+\(dropped) more \(record.code) not logged one by one; this is the last)", colour ? "\u{1B}[2m" : nil))
        }
        // Unauthenticated text: control characters would drive the terminal.
        return fields.joined(separator: "  ").unicodeScalars.map { scalar -> String in
            scalar.value < 0x20 && scalar != "\u{1B}" || scalar.value == 0x7F ? "?" : String(scalar)
        }.joined()
    }

    private static func paint(_ text: String, _ code: String?) -> String {
        guard let code else { return text }
        return code + text + "\u{1B}[0m"
    }
}
