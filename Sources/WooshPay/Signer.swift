import Crypto

/// Computes WooshPay's signature: `v1 = lowercase_hex(HMAC-SHA256(key: UTF-8 of the secret as issued,
/// message: t + "." + raw body))`. Public so that `sign`, `send`, `replay` and the tests round-trip.
public enum Signer {
    public static func signature(secret: String, timestamp: String, body: some Collection<UInt8>) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        hmac.update(data: Array(timestamp.utf8) + [UInt8(ascii: ".")])
        hmac.update(data: Array(body))
        return Hex.encode(hmac.finalize())
    }

    /// The whole header value, `t=…,v1=…`.
    public static func header(secret: String, timestamp: String, body: some Collection<UInt8>) -> String {
        "t=\(timestamp),v1=\(signature(secret: secret, timestamp: timestamp, body: body))"
    }
}

/// Lowercase hex out, either case in.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The value of one hex digit, either case.
    static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }
}
