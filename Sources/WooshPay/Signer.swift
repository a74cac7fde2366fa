import Hashing

/// Computes WooshPay's signature: `v1 = lowercase_hex(HMAC-SHA256(key: UTF-8 of the secret as issued,
/// message: t + "." + raw body))`. Public so that `sign`, `send`, `replay` and the tests round-trip.
public enum Signer {
    public static func signature(secret: String, timestamp: String, body: some Collection<UInt8>) -> String {
        let mac = Array(body).withUnsafeBytes {
            SigningKey(secret: secret).authenticationCode(timestamp: timestamp, body: $0)
        }
        return mac.hex
    }

    /// The whole header value, `t=…,v1=…`.
    public static func header(secret: String, timestamp: String, body: some Collection<UInt8>) -> String {
        "t=\(timestamp),v1=\(signature(secret: secret, timestamp: timestamp, body: body))"
    }
}
