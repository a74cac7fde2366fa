import Journal
import WooshPay

/// One human line per record for `tail`: receive time, type, event id, object id, amount with its currency, status.
public enum RecordLine {
    public static func human(_ record: JournalRecord) -> String {
        var fields = [record.receivedAt, record.type, record.eventID]
        if let event = try? Event.decode(record.body) {
            let summary = event.summary
            fields.append(summary.objectID ?? "-")
            if let amount = summary.amount, let currency = summary.currency {
                fields.append(CurrencyFormatter.format(minorUnits: amount, currency: currency))
            } else {
                fields.append("-")
            }
            fields.append(summary.status ?? "-")
        }
        if let reason = record.reason { fields.append("(\(reason))") }
        return fields.joined(separator: "  ")
    }
}
