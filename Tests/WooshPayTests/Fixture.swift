import Foundation

/// WooshPay's sample events, one per type we model plus an unknown future type, kept byte for byte in Fixtures/.
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name).json")
        return Array(try Data(contentsOf: url))
    }

    static let names = [
        "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.created",
        "charge.refund.updated", "unknown_future_type",
    ]
}

/// The reference vectors' test body (docs/ARCHITECTURE.md, "The MAC"): 198 bytes, no newline.
let specBody = Array(
    #"{"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":1732168214532,"data":{"object":{"id":"pi_1","object":"payment_intent","amount":100,"currency":"USD","status":"succeeded"}}}"#
        .utf8)
