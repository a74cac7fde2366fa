import Crypto

/// Verifies deliveries against every configured secret (rotation, or test and live endpoints). The keys are made
/// once; `now` is always passed in, so the tolerance edges are exact in tests.
public struct Verifier: Sendable {
    /// One HMAC per secret with the key already absorbed; each check works on a copy, so the key's inner and outer
    /// pads are not derived again for every delivery.
    private let keyed: [KeyedHMAC]
    private let toleranceSeconds: Int

    /// `toleranceSeconds` 0 turns the freshness check off.
    public init(secrets: [String], toleranceSeconds: Int) {
        keyed = secrets.map { KeyedHMAC(HMAC<SHA256>(key: SymmetricKey(data: Array($0.utf8)))) }
        self.toleranceSeconds = toleranceSeconds
    }

    /// `@unchecked Sendable`: the HMAC is never mutated in place, only copied (its state is copy-on-write), and
    /// copying from several threads at once only reads the shared state.
    private struct KeyedHMAC: @unchecked Sendable {
        let initial: HMAC<SHA256>
        init(_ initial: HMAC<SHA256>) { self.initial = initial }
    }

    /// Signature only: missing, malformed, or no `v1` matching any secret. Constant-time comparison of MACs.
    public func authenticate(body: [UInt8], signatureHeader: [UInt8]?) throws(Rejection) -> SignatureHeader {
        guard let signatureHeader else {
            throw Rejection(.signatureMissing, "no Wooshpay-Signature (or Signature) header")
        }
        let header = try SignatureHeader(parsing: signatureHeader)
        var timestamp = header.timestamp
        for key in keyed {
            var hmac = key.initial
            timestamp.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
            Self.dot.withUnsafeBytes { hmac.update(data: $0) }
            body.withUnsafeBytes { hmac.update(data: $0) }
            let expected = hmac.finalize()
            for candidate in header.signatures where Self.matches(expected, hex: candidate) {
                return header
            }
        }
        throw Rejection(.signatureMismatch, "no v1 signature matches any configured secret (wrong secret or altered body)")
    }

    private static let dot: [UInt8] = [UInt8(ascii: ".")]

    /// Whether `hex` (lowercased by the parser) spells `mac`; every byte is compared whatever the first difference,
    /// so the time taken tells nothing of where a forged signature goes wrong. Read in place, not decoded into an
    /// array per candidate.
    static func matches(_ mac: HashedAuthenticationCode<SHA256>, hex: String) -> Bool {
        var hex = hex
        return hex.withUTF8 { digits in
            guard digits.count == 2 * SHA256.byteCount else { return false }
            return mac.withUnsafeBytes { expected in
                var difference: UInt8 = 0
                var wellFormed = true
                for index in 0..<SHA256.byteCount {
                    guard let high = Hex.value(digits[2 * index]), let low = Hex.value(digits[2 * index + 1]) else {
                        wellFormed = false
                        continue
                    }
                    difference |= (high << 4 | low) ^ expected[index]
                }
                return wellFormed && difference == 0
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
                "signature timestamp is \(direction), beyond tolerance_seconds (\(toleranceSeconds)); kept in quarantine")
        }
    }
}
