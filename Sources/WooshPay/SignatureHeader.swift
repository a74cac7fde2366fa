/// A parsed `Wooshpay-Signature` value (SPEC §1): split on `,`, each element on its first `=`, spaces trimmed;
/// exactly one `t` of ASCII digits, one or more `v1`, other keys (`v0`, …) ignored. Parsed from bytes because a
/// header may carry non-ASCII bytes, which make it malformed rather than crash anything.
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
        for byte in value where byte >= 0x80 || (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw Rejection(.signatureMalformed, "the signature header holds non-ASCII or control bytes")
        }
        var timestamp: String?
        var signatures: [String] = []
        for element in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let trimmed = Self.trim(element)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: UInt8(ascii: "=")) else {
                throw Rejection(.signatureMalformed, "signature header element without '=' (expected t=…,v1=…)")
            }
            let key = String(decoding: Self.trim(trimmed[trimmed.startIndex..<equals]), as: UTF8.self)
            let item = String(decoding: Self.trim(trimmed[trimmed.index(after: equals)...]), as: UTF8.self)
            switch key {
            case "t":
                guard timestamp == nil else { throw Rejection(.signatureMalformed, "the signature header has two t") }
                guard !item.isEmpty, item.utf8.allSatisfy({ (0x30...0x39).contains($0) }), Int64(item) != nil else {
                    throw Rejection(.signatureMalformed, "t in the signature header is not a number of seconds")
                }
                timestamp = item
            case "v1":
                signatures.append(item.lowercased())
            default:
                continue
            }
        }
        guard let timestamp else { throw Rejection(.signatureMalformed, "the signature header has no t=") }
        guard !signatures.isEmpty else { throw Rejection(.signatureMalformed, "the signature header has no v1=") }
        self.timestamp = timestamp
        self.signatures = signatures
    }

    private static func trim<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> C.SubSequence {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
        let end = bytes.lastIndex { !isSpace($0) }.map { bytes.index(after: $0) } ?? start
        return bytes[start..<max(start, end)]
    }
}
