import Hashing
import TextFormats

/// Verifies deliveries against every configured secret (rotation, or test and live endpoints). The keys are made
/// once; `now` is always passed in, so the tolerance edges are exact in tests.
public struct Verifier: Sendable {
    /// One prepared HMAC key per secret, so the key's inner and outer pads are not hashed again
    /// for every delivery.
    private let keyed: [SigningKey]
    private let toleranceSeconds: Int

    /// `toleranceSeconds` 0 turns the freshness check off.
    public init(secrets: [String], toleranceSeconds: Int) {
        keyed = secrets.map(SigningKey.init(secret:))
        self.toleranceSeconds = toleranceSeconds
    }

    /// Signature only: missing, malformed, or no `v1` matching any secret. Constant-time comparison of MACs.
    public func authenticate(body: [UInt8], signatureHeader: [UInt8]?) throws(Rejection) -> SignatureHeader {
        guard let signatureHeader else {
            throw Rejection(.signatureMissing, "no Wooshpay-Signature (or Signature) header")
        }
        let header = try SignatureHeader(parsing: signatureHeader)
        for key in keyed {
            let expected = body.withUnsafeBytes { key.authenticationCode(timestamp: header.timestamp, body: $0) }
            for candidate in header.signatures where Self.matches(expected, hex: candidate) {
                return header
            }
        }
        throw Rejection(
            .signatureMismatch, "no v1 signature matches any configured secret (wrong secret or altered body)")
    }

    /// Whether `hex` (lowercased by the parser) spells `mac`: `mac` is written out in lowercase hex and every byte
    /// is compared whatever the first difference, so the time taken tells nothing of where a forged signature goes
    /// wrong. No array per candidate, and no branch per digit.
    static func matches(_ mac: SHA256Digest, hex: String) -> Bool {
        var hex = hex
        return hex.withUTF8 { digits in
            guard digits.count == 2 * SHA256Digest.byteCount else { return false }
            return mac.withUnsafeBytes { expected in
                var difference: UInt8 = 0
                for index in 0..<SHA256Digest.byteCount {
                    let byte = expected[index]
                    difference |= Hex.digit(byte >> 4) ^ digits[2 * index]
                    difference |= Hex.digit(byte & 0x0F) ^ digits[2 * index + 1]
                }
                return difference == 0
            }
        }
    }

    /// Convenience over raw buffers.
    public func authenticate(
        body: UnsafeRawBufferPointer, signatureHeader: UnsafeRawBufferPointer?
    ) throws(Rejection) -> SignatureHeader {
        try authenticate(body: Array(body), signatureHeader: signatureHeader.map { Array($0) })
    }

    /// Rejects a `t` further than the tolerance from now, in the past or in the future.
    public func checkFreshness(_ header: SignatureHeader, nowSeconds: Int64) throws(Rejection) {
        guard toleranceSeconds > 0 else { return }
        let skew = nowSeconds - header.timestampSeconds
        guard abs(skew) <= Int64(toleranceSeconds) else {
            let direction = skew > 0 ? "\(skew) s old" : "\(-skew) s in the future"
            throw Rejection(
                .timestampOutOfTolerance,
                "signature timestamp is \(direction), beyond tolerance_seconds (\(toleranceSeconds)); kept in quarantine"
            )
        }
    }
}
