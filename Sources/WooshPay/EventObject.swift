/// `data.object`, typed where wooshhook knows the kind.
public enum EventObject: Sendable, Equatable {
    /// Every `payment_intent.*` type.
    case paymentIntent(PaymentIntent)
    /// `charge.refund.updated`.
    case refund(Refund)
    /// Any other type, or a known type whose object did not have the expected shape: only `id` and `object` are
    /// read; the journal keeps the bytes.
    case other(id: String?, object: String?)
}

/// `data.object` of a type without a typed model. Decoding it as a keyed container is what checks that
/// `data.object` is a JSON object.
struct OpaqueObject: Decodable {
    let id: String?
    let object: String?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: AnyKey.self)
        id = fields.lenientString("id")
        object = fields.lenientString("object")
    }
}
