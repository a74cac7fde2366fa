import Foundation
import WooshPay

/// Builds webhook requests as WooshPay sends them: the exact body, `Content-Type: application/json`, and a
/// `Wooshpay-Signature` over it.
public struct SignedRequest {
    public var path = "/webhooks/wooshpay"
    public var body: [UInt8]
    public var secret = DaemonProcess.secret
    public var timestamp = String(Int(Date().timeIntervalSince1970))
    public var signatureHeaderName = "Wooshpay-Signature"
    public var signatureValue: String?
    public var contentType: String? = "application/json"
    public var extraHeaders: [(String, String)] = []
    public var method = "POST"

    public init(body: [UInt8]) { self.body = body }
    public init(body: String) { self.body = Array(body.utf8) }

    /// A small valid event with the given id and type.
    public static func event(
        id: String = "evt_\(UInt64.random(in: 1...UInt64.max))", type: String = "payment_intent.succeeded"
    ) -> SignedRequest {
        SignedRequest(
            body: """
                {"id":"\(id)","object":"event","type":"\(type)","created":1732168214532,"livemode":false,"data":{"object":{"id":"pi_1","object":"payment_intent","amount":100,"currency":"USD","status":"succeeded"}}}
                """)
    }

    /// The `Wooshpay-Signature` value sent: `signatureValue` when set, else a valid signature over the body.
    public var signatureHeader: String {
        signatureValue ?? Signer.header(secret: secret, timestamp: timestamp, body: body)
    }

    /// The request bytes.
    public var bytes: [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        let signature = signatureHeader
        if !signatureHeaderName.isEmpty { head += "\(signatureHeaderName): \(signature)\r\n" }
        for (name, value) in extraHeaders { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// Sends on a new connection and reads the response.
    public func send(port: Int) throws -> HTTPTestResponse {
        let connection = try RawHTTPConnection(port: port)
        try connection.send(bytes)
        return try connection.readResponse()
    }
}
