/// One `error.code` of the README's table ("What happens to a delivery"). The HTTP status of each is decided in exactly
/// one switch, here.
public enum RejectionCode: String, Sendable, CaseIterable {
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case bodyTooLarge = "body_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case signatureMissing = "signature_missing"
    case signatureMalformed = "signature_malformed"
    case signatureMismatch = "signature_mismatch"
    case timestampOutOfTolerance = "timestamp_out_of_tolerance"
    case invalidPayload = "invalid_payload"
    case journalUnavailable = "journal_unavailable"
    case shuttingDown = "shutting_down"
    // The HTTP server's own refusals, answered before a request reaches the receive path: a head that does not
    // parse, one too large, a chunked body, another HTTP version, a request that did not arrive in time.
    case badRequest = "bad_request"
    case lengthRequired = "length_required"
    case headerTooLarge = "header_too_large"
    case httpVersionNotSupported = "http_version_not_supported"
    case requestTimeout = "request_timeout"

    /// The status WooshPay sees.
    public var httpStatus: Int {
        switch self {
        case .notFound: 404
        case .methodNotAllowed: 405
        case .bodyTooLarge: 413
        case .unsupportedMediaType: 415
        case .signatureMissing, .signatureMalformed, .signatureMismatch, .timestampOutOfTolerance: 401
        case .invalidPayload: 400
        case .journalUnavailable, .shuttingDown: 503
        case .badRequest: 400
        case .lengthRequired: 411
        case .headerTooLarge: 431
        case .httpVersionNotSupported: 505
        case .requestTimeout: 408
        }
    }
}

/// A refused delivery: the code and a message for the operator. Messages never contain a secret.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: RejectionCode
    public let message: String

    public init(_ code: RejectionCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
