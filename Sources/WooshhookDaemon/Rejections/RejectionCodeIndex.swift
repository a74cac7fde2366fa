import WooshPay

/// A rejection code as an array index, so per-code counters are flat arrays made once, not dictionaries touched on
/// the event loop. A switch, not `allCases.firstIndex`: `allCases` builds a new array on every call.
enum RejectionCodeIndex {
    static let count = RejectionCode.allCases.count

    static func of(_ code: RejectionCode) -> Int {
        switch code {
        case .notFound: 0
        case .methodNotAllowed: 1
        case .bodyTooLarge: 2
        case .unsupportedMediaType: 3
        case .signatureMissing: 4
        case .signatureMalformed: 5
        case .signatureMismatch: 6
        case .timestampOutOfTolerance: 7
        case .invalidPayload: 8
        case .journalUnavailable: 9
        case .shuttingDown: 10
        case .badRequest: 11
        case .lengthRequired: 12
        case .headerTooLarge: 13
        case .httpVersionNotSupported: 14
        case .requestTimeout: 15
        }
    }
}
