// libFuzzer target: any bytes as a `Wooshpay-Signature` value. Parsing must return or throw a Rejection, never
// crash, and a parsed header must hold what the grammar promises.
@testable import WooshPay

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let header = try? SignatureHeader(parsing: bytes) {
        precondition(!header.timestamp.isEmpty && header.timestamp.utf8.allSatisfy { $0 >= 48 && $0 <= 57 })
        precondition(!header.signatures.isEmpty)
        precondition(header.timestampSeconds >= 0)
    }
    return 0
}
