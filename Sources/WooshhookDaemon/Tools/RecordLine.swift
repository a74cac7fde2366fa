public import Journal
import WooshPay

/// One human line per record for `tail`: receive time, type, event id, object id, amount with its currency, status.
public enum RecordLine {
    public static func human(_ record: JournalRecord, colour: Bool = false) -> String {
        var fields = [record.receivedAt, paint(record.type, colour ? "\u{1B}[36m" : nil), record.eventID]
        if let event = try? Event.decode(record.body) {
            let summary = event.summary
            fields.append(summary.objectID ?? "-")
            if let amount = summary.amount, let currency = summary.currency {
                fields.append(
                    paint(CurrencyFormatter.format(minorUnits: amount, currency: currency), colour ? "\u{1B}[1m" : nil))
            } else {
                fields.append("-")
            }
            let status = summary.status ?? "-"
            let statusColour: String? = colour ? (status == "succeeded" ? "\u{1B}[32m" : "\u{1B}[33m") : nil
            fields.append(paint(status, statusColour))
        }
        if let reason = record.reason { fields.append("(\(reason))") }
        return fields.joined(separator: "  ")
    }

    private static func paint(_ text: String, _ code: String?) -> String {
        guard let code else { return text }
        return code + text + "\u{1B}[0m"
    }
}
