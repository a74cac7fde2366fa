import Foundation
public import HTTPServer
import WooshPay

/// Posts a body to a webhook endpoint as WooshPay does: `Content-Type: application/json` and a fresh
/// `Wooshpay-Signature` (t = now, signed with `secret`). The one place that signs and posts, for `send`,
/// `replay --to` (and admission through a running daemon) and the `forward` handler, so all of them deliver what a
/// receiver verifies.
public struct SignedDeliveryClient: Sendable {
    public let url: String
    public let secret: String
    public let timeoutSeconds: Double

    public init(url: String, secret: String, timeoutSeconds: Double = 10) {
        self.url = url
        self.secret = secret
        self.timeoutSeconds = timeoutSeconds
    }

    /// Signs `body` now and posts it. Whatever status the receiver answers is returned; only not getting an answer
    /// (a bad URL, no connection, TLS, the timeout) throws.
    public func post(_ body: [UInt8]) throws(HTTPClientError) -> HTTPClientResponse {
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let headers = [
            ("Content-Type", "application/json"),
            ("Wooshpay-Signature", Signer.header(secret: secret, timestamp: timestamp, body: body)),
        ]
        return try HTTPClient.post(url: url, headers: headers, body: body, timeoutSeconds: timeoutSeconds)
    }
}
