/// A WooshPay event envelope, decoded once from the raw body after its signature was verified.
/// Only `id`, `type` and `data.object` (an object) are required; everything else is lenient and unknown fields are
/// ignored, so a new WooshPay field or type never turns into a refused delivery and 72 hours of retries.
public struct Event: Sendable, Equatable {
    /// The dedupe key (`evt_…`), opaque.
    public let id: String
    /// `resource.action`, e.g. `payment_intent.succeeded`.
    public let type: String
    /// As sent: milliseconds in WooshPay's examples, seconds in some; nil when absent or not an integer.
    public let created: Int64?
    public let livemode: Bool?
    public let apiVersion: String?
    public let object: EventObject

    /// The envelope's fields with the typed object.
    init(_ envelope: EventEnvelope, object: EventObject) {
        id = envelope.id
        type = envelope.type
        created = envelope.created
        livemode = envelope.livemode
        apiVersion = envelope.apiVersion
        self.object = object
    }

    /// Decodes `body` in one pass, `data.object` typed by `type`. Rejections are `.invalidPayload` with a message
    /// naming what is wrong; they are exactly those of `EventEnvelope.decode`, as typing is lenient.
    public static func decode(_ body: [UInt8]) throws(Rejection) -> Event {
        try EventEnvelope.decodeBody(body, as: Typed.self).event
    }

    /// `type` is read before `data.object`, so the object is decoded straight into its model without a second parse.
    private struct Typed: Decodable {
        let event: Event

        init(from decoder: any Decoder) throws {
            let fields = try EnvelopeFields(decoder)
            event = Event(fields.envelope, object: try Self.object(of: fields.envelope.type, in: fields.data))
        }

        private static func object(of type: String, in data: KeyedDecodingContainer<AnyKey>) throws -> EventObject {
            // A typed model that does not fit (say, a float amount) falls back to `.other`: the envelope alone
            // decides whether an authentic delivery is refused.
            if type.hasPrefix("payment_intent."), let intent = try? data.decode(PaymentIntent.self, forKey: "object") {
                return .paymentIntent(intent)
            }
            if type == "charge.refund.updated", let refund = try? data.decode(Refund.self, forKey: "object") {
                return .refund(refund)
            }
            guard data.contains("object"), let opaque = try? data.decode(OpaqueObject.self, forKey: "object") else {
                throw EnvelopeFields.objectRejection
            }
            return .other(id: opaque.id, object: opaque.object)
        }
    }
}
