/// `PaymentIntent.status`. Unknown values are kept (`.unknown`), never an error: WooshPay may add states.
public enum PaymentIntentStatus: Sendable, Equatable {
    case requiresPaymentMethod, requiresConfirmation, requiresAction, requiresCapture, processing, succeeded, canceled
    case unknown(String)

    public init(_ text: String) {
        switch text {
        case "requires_payment_method": self = .requiresPaymentMethod
        case "requires_confirmation": self = .requiresConfirmation
        case "requires_action": self = .requiresAction
        case "requires_capture": self = .requiresCapture
        case "processing": self = .processing
        case "succeeded": self = .succeeded
        case "canceled": self = .canceled
        default: self = .unknown(text)
        }
    }

    /// The wire value.
    public var rawValue: String {
        switch self {
        case .requiresPaymentMethod: return "requires_payment_method"
        case .requiresConfirmation: return "requires_confirmation"
        case .requiresAction: return "requires_action"
        case .requiresCapture: return "requires_capture"
        case .processing: return "processing"
        case .succeeded: return "succeeded"
        case .canceled: return "canceled"
        case .unknown(let text): return text
        }
    }
}
