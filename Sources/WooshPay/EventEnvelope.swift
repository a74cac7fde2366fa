import Foundation

/// What the receive path needs from a body: the envelope's fields, with `data.object` checked to be an object but
/// not modelled. Typing the object never changes whether a delivery is accepted (it is lenient), so the hot path
/// skips it; `Event.decode` does the same pass with the typed object for the tools and handlers.
public struct EventEnvelope: Sendable, Equatable {
    public let id: String
    public let type: String
    public let created: Int64?
    public let livemode: Bool?
    public let apiVersion: String?

    /// Decodes and checks the envelope of `body`; rejections are `.invalidPayload` naming what is wrong.
    public static func decode(_ body: [UInt8]) throws(Rejection) -> EventEnvelope {
        try requireUTF8(body)
        switch body.withUnsafeBytes({ EnvelopeScanner.scan($0) }) {
        case .success(let envelope)?: return envelope
        case .failure(let rejection)?: throw rejection
        case nil: return try decodeValidBody(body, as: Checked.self).envelope
        }
    }

    /// The JSONDecoder path alone (tests compare it with the scanner).
    static func decodeWithJSONDecoder(_ body: [UInt8]) throws(Rejection) -> EventEnvelope {
        try decodeBody(body, as: Checked.self).envelope
    }

    /// Validated in place: `String(validating:)` would copy the body into a new string only to throw it away.
    static func requireUTF8(_ body: [UInt8]) throws(Rejection) {
        guard (try? UTF8Span(validating: body.span)) != nil else {
            throw Rejection(.invalidPayload, "the body is not valid UTF-8")
        }
    }

    // JSONDecoder is thread-safe for decoding and costs an allocation per instance: one serves every event loop.
    private static let decoder = JSONDecoder()

    /// UTF-8 first (RFC 8259; a clear message instead of a parser error), then one JSONDecoder pass.
    static func decodeBody<T: Decodable>(_ body: [UInt8], as type: T.Type) throws(Rejection) -> T {
        try requireUTF8(body)
        return try decodeValidBody(body, as: type)
    }

    /// The JSONDecoder pass over a body already known to be UTF-8.
    private static func decodeValidBody<T: Decodable>(_ body: [UInt8], as type: T.Type) throws(Rejection) -> T {
        do {
            return try decoder.decode(type, from: Data(body))
        } catch let rejection as Rejection {
            throw rejection
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw Rejection(.invalidPayload, "the body is not valid JSON")
        } catch {
            throw Rejection(.invalidPayload, "the body is not a WooshPay event")
        }
    }

    private struct Checked: Decodable {
        let envelope: EventEnvelope

        init(from decoder: any Decoder) throws {
            let fields = try EnvelopeFields(decoder)
            guard fields.data.contains("object"), (try? fields.data.decode(ObjectShape.self, forKey: "object")) != nil
            else { throw EnvelopeFields.objectRejection }
            envelope = fields.envelope
        }
    }

    /// Succeeds exactly when the value is a JSON object; reads none of it.
    private struct ObjectShape: Decodable {
        init(from decoder: any Decoder) throws {
            _ = try decoder.container(keyedBy: AnyKey.self)
        }
    }
}

/// The required envelope fields (docs/ARCHITECTURE.md, "The envelope"): `id` and `type` non-empty strings, `data` an
/// object. Everything else is lenient: `created` not an integer, say, is nil rather than a refusal.
struct EnvelopeFields {
    let envelope: EventEnvelope
    let data: KeyedDecodingContainer<AnyKey>

    static let objectRejection = Rejection(.invalidPayload, "\"data.object\" is missing or is not an object")

    init(_ decoder: any Decoder) throws {
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
        do {
            data = try fields.nestedContainer(keyedBy: AnyKey.self, forKey: "data")
        } catch {
            throw Rejection(.invalidPayload, "\"data\" is missing or is not an object")
        }
        envelope = EventEnvelope(
            id: id, type: type, created: fields.lenientInteger("created"), livemode: fields.lenientBool("livemode"),
            apiVersion: fields.lenientString("api_version"))
    }
}
