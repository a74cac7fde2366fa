/// The `data.object` of `charge.refund.updated`: `amount` may arrive as a digit string and
/// `currency` in lower case.
public struct Refund: Sendable, Equatable, Decodable {
    public let id: String
    /// In minor units of `currency`.
    public let amount: Int64?
    public let created: Int64?
    /// ISO 4217, uppercase.
    public let currency: String?
    public let metadata: [String: String]
    public let paymentIntent: String?
    public let reason: String?
    public let status: String?
    public let description: String?
    public let failureReason: String?
    public let receiptNumber: String?

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyKey.self)
        guard let id = fields.lenientString("id") else {
            throw DecodingError.keyNotFound(
                AnyKey("id"), .init(codingPath: decoder.codingPath, debugDescription: "no id"))
        }
        self.id = id
        amount = fields.lenientInteger("amount")
        created = fields.lenientInteger("created")
        currency = fields.currency("currency")
        metadata = fields.metadata("metadata")
        paymentIntent = fields.lenientString("payment_intent")
        reason = fields.lenientString("reason")
        status = fields.lenientString("status")
        description = fields.lenientString("description")
        failureReason = fields.lenientString("failure_reason")
        receiptNumber = fields.lenientString("receipt_number")
    }
}
