/// The `data.object` of every `payment_intent.*` event. Everything but `id` is optional and read
/// leniently; fields not listed here stay in the journaled body.
public struct PaymentIntent: Sendable, Equatable, Decodable {
    public let id: String
    public let created: Int64?
    public let livemode: Bool?
    /// In minor units of `currency`.
    public let amount: Int64?
    public let amountCapturable: Int64?
    public let amountReceived: Int64?
    /// ISO 4217, uppercase.
    public let currency: String?
    public let status: PaymentIntentStatus?
    public let captureMethod: String?
    public let customer: String?
    public let description: String?
    public let merchantOrderID: String?
    public let metadata: [String: String]
    public let paymentMethod: String?
    public let paymentMethodTypes: [String]?
    public let paymentMethodOptions: JSONValue?
    public let nextAction: JSONValue?
    public let lastPaymentError: PaymentError?
    public let cancellationReason: String?
    public let receiptEmail: String?
    public let returnURL: String?

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyKey.self)
        guard let id = fields.lenientString("id") else {
            throw DecodingError.keyNotFound(
                AnyKey("id"), .init(codingPath: decoder.codingPath, debugDescription: "no id"))
        }
        self.id = id
        created = fields.lenientInteger("created")
        livemode = fields.lenientBool("livemode")
        amount = fields.lenientInteger("amount")
        amountCapturable = fields.lenientInteger("amount_capturable")
        amountReceived = fields.lenientInteger("amount_received")
        currency = fields.currency("currency")
        status = fields.lenientString("status").map(PaymentIntentStatus.init)
        captureMethod = fields.lenientString("capture_method")
        customer = fields.lenientString("customer")
        description = fields.lenientString("description")
        merchantOrderID = fields.lenientString("merchant_order_id")
        metadata = fields.metadata("metadata")
        paymentMethod = fields.lenientString("payment_method")
        paymentMethodTypes = fields.possiblyStringified([String].self, "payment_method_types")
        paymentMethodOptions = fields.opaque("payment_method_options")
        nextAction = fields.opaque("next_action")
        lastPaymentError = fields.possiblyStringified(PaymentError.self, "last_payment_error")
        cancellationReason = fields.lenientString("cancellation_reason")
        receiptEmail = fields.lenientString("receipt_email")
        returnURL = fields.lenientString("return_url")
    }
}
