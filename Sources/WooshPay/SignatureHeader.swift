/// A parsed `Wooshpay-Signature` value (docs/ARCHITECTURE.md, "The signature header"): split on `,`, each element on
/// its first `=`, spaces trimmed; exactly one `t` of ASCII digits, one or more `v1`, other keys (`v0`, …) ignored.
/// Parsed from bytes because a header may carry non-ASCII bytes, which make it malformed rather than crash anything.
public struct SignatureHeader: Sendable, Equatable {
    /// `t` exactly as sent: it is part of the signed message.
    public let timestamp: String
    /// Every `v1` value, lowercased.
    public let signatures: [String]

    /// `t` in seconds: a value of 10^11 or more is epoch milliseconds (WooshPay's unit elsewhere).
    public var timestampSeconds: Int64 {
        let value = Int64(timestamp) ?? 0
        return value >= 100_000_000_000 ? value / 1000 : value
    }

    public init(parsing raw: some Collection<UInt8>) throws(Rejection) {
        let value = Array(raw)
        var timestamp: String?
        var signatures: [String] = []
        // Offsets into the buffer, not split slices and Strings per element: this runs for every delivery.
        let failure: Rejection? = value.withUnsafeBufferPointer { bytes in
            for byte in bytes where byte >= 0x80 || (byte < 0x20 && byte != 0x09) || byte == 0x7F {
                return Rejection(.signatureMalformed, "the signature header holds non-ASCII or control bytes")
            }
            var elementStart = 0
            while elementStart <= bytes.count {
                var elementEnd = elementStart
                while elementEnd < bytes.count && bytes[elementEnd] != UInt8(ascii: ",") { elementEnd += 1 }
                defer { elementStart = elementEnd + 1 }
                let element = Self.trim(bytes, elementStart..<elementEnd)
                if element.isEmpty { continue }
                guard let equals = element.first(where: { bytes[$0] == UInt8(ascii: "=") }) else {
                    return Rejection(.signatureMalformed, "signature header element without '=' (expected t=…,v1=…)")
                }
                let key = Self.trim(bytes, element.lowerBound..<equals)
                let item = Self.trim(bytes, (equals + 1)..<element.upperBound)
                if Self.bytes(bytes, key, equal: "t") {
                    guard timestamp == nil else {
                        return Rejection(.signatureMalformed, "the signature header has two t")
                    }
                    let notANumber = Rejection(
                        .signatureMalformed, "t in the signature header is not a number of seconds")
                    guard !item.isEmpty, item.allSatisfy({ (0x30...0x39).contains(bytes[$0]) }) else {
                        return notANumber
                    }
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[item]), as: UTF8.self)
                    guard Int64(text) != nil else { return notANumber }
                    timestamp = text
                } else if Self.bytes(bytes, key, equal: "v1") {
                    let source = UnsafeBufferPointer(rebasing: bytes[item])
                    // Written straight into the String's storage (a lazy map went through generic code).
                    signatures.append(
                        String(unsafeUninitializedCapacity: source.count) { lowered in
                            for (index, byte) in source.enumerated() {
                                lowered[index] =
                                    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                            }
                            return source.count
                        })
                }
            }
            return nil
        }
        if let failure { throw failure }
        guard let timestamp else { throw Rejection(.signatureMalformed, "the signature header has no t=") }
        guard !signatures.isEmpty else { throw Rejection(.signatureMalformed, "the signature header has no v1=") }
        self.timestamp = timestamp
        self.signatures = signatures
    }

    /// `range` without the spaces and tabs at either end.
    private static func trim(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
        return lower..<upper
    }

    private static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, equal word: StaticString)
        -> Bool
    {
        range.count == word.utf8CodeUnitCount && range.allSatisfy { bytes[$0] == word.utf8Start[$0 - range.lowerBound] }
    }
}
