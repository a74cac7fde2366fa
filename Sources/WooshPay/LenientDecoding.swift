import Foundation

/// WooshPay's payload quirks (docs/ARCHITECTURE.md, "Typed objects and WooshPay's quirks"), handled in one place: `""`
/// where `null` is meant, arrays and objects sent as JSON-encoded strings, integers sent as digit strings, lower-case
/// currencies. A field in an unexpected shape becomes nil rather than failing the event: the journal keeps the exact
/// bytes anyway.
extension KeyedDecodingContainer {
    /// A string; `""`, `null`, absence or another type give nil.
    func lenientString(_ key: Key) -> String? {
        guard let value = try? decodeIfPresent(String.self, forKey: key), !value.isEmpty else { return nil }
        return value
    }

    /// An integer, or a string of ASCII digits (optionally signed); anything else gives nil.
    func lenientInteger(_ key: Key) -> Int64? {
        if let value = try? decodeIfPresent(Int64.self, forKey: key) { return value }
        guard let text = try? decodeIfPresent(String.self, forKey: key) else { return nil }
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(text)
    }

    func lenientBool(_ key: Key) -> Bool? {
        (try? decodeIfPresent(Bool.self, forKey: key)) ?? nil
    }

    /// An ISO 4217 code stored uppercase.
    func currency(_ key: Key) -> String? {
        lenientString(key)?.uppercased()
    }

    /// A value that may also arrive JSON-encoded inside a string (`"[\"card\"]"`); `""` means null.
    func possiblyStringified<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        if let value = try? decodeIfPresent(type, forKey: key) { return value }
        guard let text = lenientString(key) else { return nil }
        return try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// An opaque value (`next_action`, `payment_method_options`): an object or array sent inside a string is
    /// unwrapped; `""` and `null` give nil.
    func opaque(_ key: Key) -> JSONValue? {
        switch (try? decodeIfPresent(JSONValue.self, forKey: key)) ?? nil {
        case .none, .null?: return nil
        case .string(let text)?:
            if text.isEmpty { return nil }
            guard let inner = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                return .string(text)
            }
            switch inner {
            case .object, .array: return inner
            default: return .string(text)
            }
        case let value?: return value
        }
    }

    /// `metadata`: values that are not strings are kept as their text rather than dropped.
    func metadata(_ key: Key) -> [String: String] {
        guard let fields = possiblyStringified([String: JSONValue].self, key) else { return [:] }
        return fields.compactMapValues { value in
            if case .null = value { return nil }
            return value.text
        }
    }
}

/// Any coding key by name, so objects are read with string keys without a CodingKeys enum per type.
struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension AnyKey: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { stringValue = value }
}
