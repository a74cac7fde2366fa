import Foundation
import HTTPServer
import Journal
import WooshPay

/// `kind: forward`: POSTs the exact body to `url`, signed afresh with this handler's own `secret` (t = now), as
/// WooshPay would; any 2xx is success. Uses the HTTP module's client (http:// and https://).
struct ForwardHandler: EventHandler {
    let url: String
    let secret: String
    let timeoutSeconds: Double

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let headers = [
            ("Content-Type", "application/json"),
            ("Wooshpay-Signature", Signer.header(secret: secret, timestamp: timestamp, body: record.body)),
        ]
        let response: HTTPClientResponse
        do {
            response = try HTTPClient.post(url: url, headers: headers, body: record.body, timeoutSeconds: timeoutSeconds)
        } catch {
            throw HandlerFailure("\(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw HandlerFailure("\(url) answered HTTP \(response.status)")
        }
    }
}
