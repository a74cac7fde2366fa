/// Realistic WooshPay events for `wooshhook send`, the benchmark and tests: the shapes of WooshPay's own examples,
/// with a fresh `evt_` id and `created` so that de-duplication never swallows them.
public enum SampleEvent {
    /// The types that get a typed sample; any other type gets a generic object.
    public static let knownTypes = [
        "payment_intent.succeeded", "payment_intent.payment_failed",
        "payment_intent.created", "charge.refund.updated",
    ]

    /// A pretty-printed JSON body of `type`, with `id` and `createdMilliseconds`.
    public static func body(type: String, id: String, createdMilliseconds: Int64) -> String {
        let intentID = "pi_1859273520981254144"
        let object: String
        switch type {
        case "charge.refund.updated":
            object = """
                {
                      "id": "re_1859455101338517504",
                      "object": "refund",
                      "amount": 1500,
                      "created": \(createdMilliseconds - 5000),
                      "currency": "USD",
                      "metadata": {"rma": "RMA-7781"},
                      "payment_intent": "\(intentID)",
                      "reason": "requested_by_customer",
                      "status": "succeeded",
                      "description": "Partial refund: one item returned",
                      "failure_reason": null,
                      "receipt_number": null
                    }
                """
        case let intent where intent.hasPrefix("payment_intent."):
            let failed = intent == "payment_intent.payment_failed"
            let status = failed || intent == "payment_intent.created" ? "requires_payment_method" : "succeeded"
            let error =
                failed
                ? """
                {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "The card has insufficient funds to complete the purchase."}
                """ : "null"
            object = """
                {
                      "id": "\(intentID)",
                      "object": "payment_intent",
                      "created": \(createdMilliseconds - 29000),
                      "livemode": false,
                      "amount": 4250,
                      "amount_capturable": 0,
                      "currency": "USD",
                      "status": "\(status)",
                      "capture_method": "automatic",
                      "confirmation_method": "automatic",
                      "customer": "cus_1859270011204440064",
                      "description": "Order A-10293 (2 items)",
                      "merchant_order_id": "A-10293",
                      "metadata": {"order_id": "A-10293", "channel": "web"},
                      "payment_method": "pm_1859273521392295936",
                      "payment_method_types": ["card"],
                      "payment_method_options": {"card": {"request_three_d_secure": "auto"}},
                      "last_payment_error": \(error),
                      "next_action": null,
                      "receipt_email": "buyer@example.org",
                      "return_url": "https://shop.example.org/checkout/return"
                    }
                """
        default:
            object = """
                {
                      "id": "obj_\(id.dropFirst(4))",
                      "object": "\(type.split(separator: ".").first ?? "object")",
                      "created": \(createdMilliseconds - 1000),
                      "livemode": false
                    }
                """
        }
        return """
            {
              "id": "\(id)",
              "object": "event",
              "api_version": "1.0.1",
              "created": \(createdMilliseconds),
              "livemode": false,
              "pending_webhooks": 1,
              "request": {"id": null, "idempotency_key": null},
              "type": "\(type)",
              "data": {
                "object": \(object)
              }
            }
            """
    }

    /// A fresh id in WooshPay's shape: `evt_` and 19 digits.
    public static func newID() -> String {
        "evt_" + String(UInt64.random(in: 1_000_000_000_000_000_000...9_999_999_999_999_999_999))
    }
}
