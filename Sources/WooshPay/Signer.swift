import Hashing

/// Computes WooshPay's signature: `v1 = lowercase_hex(HMAC-SHA256(key: UTF-8 of the secret as issued,
/// message: t + "." + raw body))`. Public so that `sign`, `send`, `replay` and the tests round-trip.
public enum Signer {
    public static func signature(secret: String, timestamp: String, body: some Collection<UInt8>) -> String {
        let mac = Array(body).withUnsafeBytes {
            SigningKey(secret: secret).authenticationCode(timestamp: timestamp, body: $0)
        }
        return Hex.encode(mac.bytes)
    }

    /// The whole header value, `t=…,v1=…`.
    public static func header(secret: String, timestamp: String, body: some Collection<UInt8>) -> String {
        "t=\(timestamp),v1=\(signature(secret: secret, timestamp: timestamp, body: body))"
    }
}

/// Lowercase hex.
enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digit(byte >> 4))
            text.append(digit(byte & 0x0F))
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The lowercase hex digit of a nibble (0–15), without a table lookup or a branch.
    @inline(__always)
    static func digit(_ nibble: UInt8) -> UInt8 {
        // '0'…'9' then 'a'…'f': 39 more for nibbles of 10 and over (a mask from the borrow of 9 - nibble).
        let isLetter = UInt8(truncatingIfNeeded: (9 &- Int(nibble)) >> 8)
        return UInt8(ascii: "0") &+ nibble &+ (isLetter & 39)
    }
}
