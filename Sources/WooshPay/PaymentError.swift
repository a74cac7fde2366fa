/// `last_payment_error` of a PaymentIntent: the API error object.
public struct PaymentError: Sendable, Equatable, Decodable {
    public let type: String?
    public let code: String?
    public let message: String?
    public let declineCode: String?
    public let param: String?

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyKey.self)
        type = fields.lenientString("type")
        code = fields.lenientString("code")
        message = fields.lenientString("message")
        declineCode = fields.lenientString("decline_code")
        param = fields.lenientString("param")
    }
}
