import WooshPay

/// A rejection code as an array index, so per-code counters are flat arrays made once, not dictionaries touched on
/// the event loop.
enum RejectionCodeIndex {
    static let count = RejectionCode.allCases.count

    static func of(_ code: RejectionCode) -> Int {
        RejectionCode.allCases.firstIndex(of: code) ?? 0
    }
}
