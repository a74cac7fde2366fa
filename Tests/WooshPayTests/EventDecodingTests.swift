import Testing
import WooshPay

struct EventDecodingTests {
    private func rejection(_ text: String) -> Rejection? {
        rejection(Array(text.utf8))
    }

    private func rejection(_ bytes: [UInt8]) -> Rejection? {
        do {
            _ = try Event.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func event(object: String, type: String = "payment_intent.succeeded", extra: String = "") throws -> Event {
        try Event.decode(Array(#"{"id":"evt_q","type":"\#(type)",\#(extra)"data":{"object":\#(object)}}"#.utf8))
    }

    @Test(arguments: Fixture.names)
    func everyFixtureDecodes(_ name: String) throws {
        let event = try Event.decode(try Fixture.bytes(name))
        #expect(event.id.hasPrefix("evt_"))
        #expect(name == "unknown_future_type" ? !event.type.isEmpty : event.type == name)
        switch (name, event.object) {
        case ("charge.refund.updated", .refund(let refund)): #expect(refund.id.hasPrefix("re_"))
        case (let type, .paymentIntent(let intent)) where type.hasPrefix("payment_intent."):
            #expect(intent.id.hasPrefix("pi_"))
        case ("unknown_future_type", .other): break
        default: Issue.record("\(name) decoded as \(event.object)")
        }
    }

    @Test func failedFixtureIsFullyTyped() throws {
        let event = try Event.decode(try Fixture.bytes("payment_intent.payment_failed"))
        #expect(event.created == 1_732_170_185_907)
        #expect(event.livemode == false)
        #expect(event.apiVersion == "1.0.1")
        guard case .paymentIntent(let intent) = event.object else {
            Issue.record("not a PaymentIntent")
            return
        }
        #expect(intent.amount == 3800 && intent.currency == "JPY")
        #expect(intent.status == .requiresPaymentMethod)
        #expect(intent.lastPaymentError?.declineCode == "insufficient_funds")
        #expect(intent.lastPaymentError?.type == "card_error")
        #expect(intent.paymentMethodTypes == ["card"])
        #expect(intent.merchantOrderID == "JP-55821" && intent.metadata == ["order_id": "JP-55821"])
        #expect(intent.customer == nil && intent.nextAction == nil)
        #expect(
            event.summary
                == EventSummary(
                    objectID: "pi_1859281850466607104", amount: 3800, currency: "JPY", status: "requires_payment_method"
                ))
    }

    @Test func invalidEnvelopesAreInvalidPayload() {
        let cases: [(String, String)] = [
            ("not json", "not valid JSON"), ("[1,2]", "JSON object"), ("\"evt\"", "JSON object"),
            ("", "not valid JSON"),
            (#"{"type":"t","data":{"object":{}}}"#, "\"id\""),
            (#"{"id":"","type":"t","data":{"object":{}}}"#, "\"id\""),
            (#"{"id":7,"type":"t","data":{"object":{}}}"#, "\"id\""), (#"{"id":"e","data":{"object":{}}}"#, "\"type\""),
            (#"{"id":"e","type":"t"}"#, "\"data\""), (#"{"id":"e","type":"t","data":{}}"#, "data.object"),
            (#"{"id":"e","type":"t","data":{"object":[1]}}"#, "data.object"),
            (#"{"id":"e","type":"t","data":{"object":"x"}}"#, "data.object"),
            (#"{"id":"e","type":"t","data":{"object":{}}"#, "not valid JSON"),
        ]
        for (body, words) in cases {
            let found = rejection(body)
            #expect(found?.code == .invalidPayload, "\(body)")
            #expect(found?.message.contains(words) == true, "\(body): \(found?.message ?? "accepted")")
            do {
                _ = try EventEnvelope.decode(Array(body.utf8))
                Issue.record("the envelope-only decoding accepted \(body)")
            } catch {
                #expect(error == found, "the receive path and the tools must refuse alike: \(body)")
            }
        }
    }

    @Test(arguments: Fixture.names)
    func envelopeOnlyDecodingMatchesTheFullOne(_ name: String) throws {
        let body = try Fixture.bytes(name)
        let envelope = try EventEnvelope.decode(body)
        let event = try Event.decode(body)
        #expect(envelope.id == event.id && envelope.type == event.type && envelope.created == event.created)
        #expect(envelope.livemode == event.livemode && envelope.apiVersion == event.apiVersion)
    }

    @Test func nonUTF8BodyIsBytesAndRejected() {
        let body = Array(#"{"id":"evt_"#.utf8) + [0xFF, 0xFE] + Array(#"","type":"t","data":{"object":{}}}"#.utf8)
        #expect(rejection(body) == Rejection(.invalidPayload, "the body is not valid UTF-8"))
        #expect(rejection([0xC3]) == Rejection(.invalidPayload, "the body is not valid UTF-8"))
    }

    @Test func unknownTypesAndFieldsAreKept() throws {
        let event = try event(
            object: #"{"id":"po_1","object":"payout","new":{"deep":[1,2]}}"#, type: "payout.paid",
            extra: #""brand_new_field":true,"api_version":null,"#)
        #expect(event.object == .other(id: "po_1", object: "payout"))
        #expect(event.apiVersion == nil)
        #expect(event.summary == EventSummary(objectID: "po_1", amount: nil, currency: nil, status: nil))
    }

    @Test func createdInSecondsOrMillisecondsAndApiVersionShapes() throws {
        #expect(try event(object: "{}", type: "x.y", extra: #""created":1732168214,"#).created == 1_732_168_214)
        #expect(try event(object: "{}", type: "x.y", extra: #""created":1732168214532,"#).created == 1_732_168_214_532)
        #expect(try event(object: "{}", type: "x.y", extra: #""created":"soon","#).created == nil)
        #expect(try event(object: "{}", type: "x.y", extra: #""api_version":"2024-06-20","#).apiVersion == "2024-06-20")
        #expect(try event(object: "{}", type: "x.y").apiVersion == nil)
    }

    @Test func stringifiedArraysAndObjectsAndEmptyStringsAsNull() throws {
        let event = try event(
            object: #"""
                {"id":"pi_q","amount":500,"currency":"usd","status":"succeeded","payment_method_types":"[\"card\",\"ovo\"]",
                 "payment_method_options":"{\"card\":{\"request_three_d_secure\":\"auto\"}}","next_action":"",
                 "customer":"","last_payment_error":"","metadata":{"n":5,"s":"x","z":null}}
                """#)
        guard case .paymentIntent(let intent) = event.object else {
            Issue.record("not typed: \(event.object)")
            return
        }
        #expect(intent.paymentMethodTypes == ["card", "ovo"])
        #expect(intent.paymentMethodOptions == .object(["card": .object(["request_three_d_secure": .string("auto")])]))
        #expect(intent.nextAction == nil && intent.customer == nil && intent.lastPaymentError == nil)
        #expect(intent.currency == "USD")
        #expect(intent.metadata == ["n": "5", "s": "x"])
        let empty = try self.event(
            object: #"{"id":"pi_e","payment_method_types":"","next_action":"{\"type\":\"redirect\"}"}"#)
        guard case .paymentIntent(let second) = empty.object else {
            Issue.record("not typed")
            return
        }
        #expect(second.paymentMethodTypes == nil)
        #expect(second.nextAction == .object(["type": .string("redirect")]))
    }

    @Test func refundAmountAsStringAndLowercaseCurrency() throws {
        let event = try event(
            object: #"{"id":"re_1","amount":"1500","currency":"idr","status":"pending"}"#,
            type: "charge.refund.updated")
        guard case .refund(let refund) = event.object else {
            Issue.record("not a refund")
            return
        }
        #expect(refund.amount == 1500 && refund.currency == "IDR" && refund.status == "pending")
        #expect(event.summary == EventSummary(objectID: "re_1", amount: 1500, currency: "IDR", status: "pending"))
    }

    @Test func unknownStatusIsKeptAndABadTypedObjectFallsBack() throws {
        let unknown = try event(object: #"{"id":"pi_s","status":"partially_funded"}"#)
        guard case .paymentIntent(let intent) = unknown.object else {
            Issue.record("not typed")
            return
        }
        #expect(intent.status == .unknown("partially_funded"))
        #expect(unknown.summary.status == "partially_funded")
        let noID = try event(object: #"{"object":"payment_intent","amount":1}"#)
        #expect(noID.object == .other(id: nil, object: "payment_intent"))
        let floatAmount = try event(object: #"{"id":"pi_f","amount":10.5}"#)
        guard case .paymentIntent(let lenient) = floatAmount.object else {
            Issue.record("a float amount must not lose the typed object")
            return
        }
        #expect(lenient.amount == nil)
    }

    @Test func amountsFormatByCurrencyExponent() {
        #expect(CurrencyFormatter.format(minorUnits: 4250, currency: "USD") == "42.50 USD")
        #expect(CurrencyFormatter.format(minorUnits: 3800, currency: "jpy") == "3800 JPY")
        #expect(CurrencyFormatter.format(minorUnits: 1500, currency: "KWD") == "1.500 KWD")
        #expect(CurrencyFormatter.format(minorUnits: 15_000_000, currency: "IDR") == "150000.00 IDR")
        #expect(CurrencyFormatter.format(minorUnits: -5, currency: "EUR") == "-0.05 EUR")
        #expect(CurrencyFormatter.format(minorUnits: 7, currency: "XYZ") == "0.07 XYZ")
        #expect(CurrencyFormatter.exponent(of: "KRW") == 0 && CurrencyFormatter.exponent(of: "BHD") == 3)
    }
}
