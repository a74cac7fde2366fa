// libFuzzer target: any bytes as an authenticated body. The receive path (the strict scanner, JSONDecoder when it
// steps aside) must keep EnvelopeAgreement with JSONDecoder alone, the tools' typed decoding must refuse exactly
// what JSONDecoder refuses, and nothing may crash.
@testable import WooshPay

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let received = Result { () throws(Rejection) in try EventEnvelope.decode(bytes) }
    let decoded = Result { () throws(Rejection) in try EventEnvelope.decodeWithJSONDecoder(bytes) }
    precondition(EnvelopeAgreement.holds(received, decoded), "the scanner and JSONDecoder disagree")
    let event = Result { () throws(Rejection) in try Event.decode(bytes) }
    switch (decoded, event) {
    case (.success(let envelope), .success(let event)):
        precondition(envelope.id == event.id && envelope.type == event.type && !event.id.isEmpty)
        if let amount = event.summary.amount { _ = CurrencyFormatter.format(minorUnits: amount, currency: "KWD") }
    case (.failure(let first), .failure(let second)):
        precondition(first == second)
    default:
        preconditionFailure("the envelope and the typed decoding disagree")
    }
    return 0
}
