import HTTPServer
import Journal

/// `kind: forward`: POSTs the exact body to `url`, signed afresh with this handler's own `secret` (t = now), as
/// WooshPay would (`SignedDeliveryClient`); any 2xx is success.
struct ForwardHandler: EventHandler {
    let client: SignedDeliveryClient

    init(url: String, secret: String, timeoutSeconds: Double) {
        client = SignedDeliveryClient(url: url, secret: secret, timeoutSeconds: timeoutSeconds)
    }

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        let response: HTTPClientResponse
        do {
            response = try client.post(record.body)
        } catch {
            throw HandlerFailure("\(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw HandlerFailure("\(client.url) answered HTTP \(response.status)")
        }
    }
}
