// libFuzzer target: any bytes as an authenticated body. The receive path's envelope decoding and the tools' typed
// decoding must agree on what is refused, and neither may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let envelope = Result { () throws(Rejection) in try EventEnvelope.decode(bytes) }
    let event = Result { () throws(Rejection) in try Event.decode(bytes) }
    switch (envelope, event) {
    case (.success(let envelope), .success(let event)):
        precondition(envelope.id == event.id && envelope.type == event.type && !event.id.isEmpty)
        _ = event.summary
    case (.failure(let first), .failure(let second)):
        precondition(first == second)
    default:
        preconditionFailure("the envelope and the typed decoding disagree")
    }
    if let amount = try? Event.decode(bytes).summary.amount {
        _ = CurrencyFormatter.format(minorUnits: amount, currency: "KWD")
    }
    return 0
}
