/// What one display line needs (`tail`): the object id, the amount in minor units, the currency and the status.
public struct EventSummary: Sendable, Equatable {
    public let objectID: String?
    public let amount: Int64?
    /// ISO 4217, uppercase.
    public let currency: String?
    public let status: String?

    public init(objectID: String?, amount: Int64?, currency: String?, status: String?) {
        self.objectID = objectID
        self.amount = amount
        self.currency = currency
        self.status = status
    }
}

extension Event {
    /// The summary of `object`. A succeeded PaymentIntent reports `amount_received` when present: WooshPay does
    /// not document it, but a Stripe-shaped payload may carry it.
    public var summary: EventSummary {
        switch object {
        case .paymentIntent(let intent):
            return EventSummary(
                objectID: intent.id, amount: intent.amountReceived ?? intent.amount, currency: intent.currency,
                status: intent.status?.rawValue)
        case .refund(let refund):
            return EventSummary(
                objectID: refund.id, amount: refund.amount, currency: refund.currency, status: refund.status)
        case .other(let id, _):
            return EventSummary(objectID: id, amount: nil, currency: nil, status: nil)
        }
    }
}
