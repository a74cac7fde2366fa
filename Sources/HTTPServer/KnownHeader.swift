/// The header names a webhook request usually carries, recognised from their bytes in any case. A recognised name
/// is a string literal, so it costs no allocation (a lowercased copy of a name over 15 bytes, such as
/// `wooshpay-signature`, is one per request) and the parser tells the headers it acts on by a case, not by comparing
/// strings.
enum KnownHeader: CaseIterable {
    case host, contentLength, contentType, signature, userAgent, accept, connection, expect, transferEncoding
    case forwardedFor, realIP

    /// The name as `HTTPHeaders` stores it: lowercase.
    var name: String {
        switch self {
        case .host: "host"
        case .contentLength: "content-length"
        case .contentType: "content-type"
        case .signature: "wooshpay-signature"
        case .userAgent: "user-agent"
        case .accept: "accept"
        case .connection: "connection"
        case .expect: "expect"
        case .transferEncoding: "transfer-encoding"
        case .forwardedFor: "x-forwarded-for"
        case .realIP: "x-real-ip"
        }
    }

    /// The known header `bytes` names, compared ASCII case-insensitively; nil for any other name.
    static func matching(_ bytes: UnsafeRawBufferPointer) -> KnownHeader? {
        for header in allCases {
            var name = header.name
            let matches = name.withUTF8 { known in
                guard known.count == bytes.count else { return false }
                for index in 0..<known.count where known[index] != (bytes[index] | 0x20) {
                    // `| 0x20` lowercases letters. The only other token bytes it changes are `^` and `_`, which
                    // become `~` and DEL: never a letter or `-`, so no other name is taken for a known one.
                    return false
                }
                return true
            }
            if matches { return header }
        }
        return nil
    }
}
