/// The rule the scanner and JSONDecoder must keep (tests and the fuzz target check it): the same envelope, or
/// the same refusal, except that the scanner alone may call a body "not valid JSON".
enum EnvelopeAgreement {
    static let invalidJSON = Rejection(.invalidPayload, "the body is not valid JSON")

    static func holds(_ scanned: Result<EventEnvelope, Rejection>, _ decoded: Result<EventEnvelope, Rejection>) -> Bool
    {
        switch (scanned, decoded) {
        case (.success(let first), .success(let second)): return first == second
        case (.failure(let first), _) where first == invalidJSON: return true
        case (.failure(let first), .failure(let second)): return first == second
        default: return false
        }
    }
}
