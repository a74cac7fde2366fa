import Foundation

/// A WooshPay event envelope (NOTES §3), decoded once from the raw body after its signature was verified.
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

    /// Decodes `body` in one pass. Rejections are `.invalidPayload` with a message naming what is wrong.
    public static func decode(_ body: [UInt8]) throws(Rejection) -> Event {
        guard String(validating: body, as: UTF8.self) != nil else {
            throw Rejection(.invalidPayload, "the body is not valid UTF-8")
        }
        do {
            return try JSONDecoder().decode(Envelope.self, from: Data(body)).event
        } catch let rejection as Rejection {
            throw rejection
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw Rejection(.invalidPayload, "the body is not valid JSON")
        } catch {
            throw Rejection(.invalidPayload, "the body is not a WooshPay event")
        }
    }

    /// The `Decodable` pass itself: `type` is read before `data.object` so the object is decoded straight into its
    /// model, without a second parse.
    private struct Envelope: Decodable {
        let event: Event

        init(from decoder: any Decoder) throws {
            let fields: KeyedDecodingContainer<AnyKey>
            do {
                fields = try decoder.container(keyedBy: AnyKey.self)
            } catch {
                throw Rejection(.invalidPayload, "the body must be a JSON object")
            }
            guard let id = fields.lenientString("id") else {
                throw Rejection(.invalidPayload, "\"id\" is missing or is not a non-empty string")
            }
            guard let type = fields.lenientString("type") else {
                throw Rejection(.invalidPayload, "\"type\" is missing or is not a non-empty string")
            }
            let data: KeyedDecodingContainer<AnyKey>
            do {
                data = try fields.nestedContainer(keyedBy: AnyKey.self, forKey: "data")
            } catch {
                throw Rejection(.invalidPayload, "\"data\" is missing or is not an object")
            }
            event = Event(
                id: id, type: type, created: fields.lenientInteger("created"), livemode: fields.lenientBool("livemode"),
                apiVersion: fields.lenientString("api_version"), object: try Self.object(of: type, in: data))
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
                throw Rejection(.invalidPayload, "\"data.object\" is missing or is not an object")
            }
            return .other(id: opaque.id, object: opaque.object)
        }
    }
}
