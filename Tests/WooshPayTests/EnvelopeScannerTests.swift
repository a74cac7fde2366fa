import Testing

@testable import WooshPay

/// The receive path's scanner against JSONDecoder: what the scanner accepts, JSONDecoder reads the same way; what it
/// refuses for a missing or wrong field, JSONDecoder refuses with the same message; only "not valid JSON" may be
/// the scanner's alone (JSONDecoder does not validate values nobody asks for). The fuzz target checks the same.
struct EnvelopeScannerTests {
    static let bodies: [String] = [
        #"{"id":"evt_1","type":"t","data":{"object":{}}}"#,
        #" {"id":"e","type":"t","data":{"object":{"a":[1,2.5e-3,{"b":null}],"c":true}}} "#,
        #"{"id":"e","type":"t","created":"1732168214","data":{"object":{}}}"#,
        #"{"id":"e","type":"t","created":1.5,"data":{"object":{}}}"#,
        #"{"id":"e","type":"t","created":-12,"livemode":false,"data":{"object":{}}}"#,
        #"{"id":"e","type":"t","created":99999999999999999999,"data":{"object":{}}}"#,
        #"{"id":"e","type":"t","livemode":"true","api_version":"","data":{"object":{}}}"#,
        #"{"id":"e","type":"t","api_version":null,"data":{"object":{}}}"#,
        #"{"id":"e","id":"f","type":"t","data":{"object":{}}}"#,
        #"{"\u0069d":"e","type":"t","data":{"object":{}}}"#,
        #"{"id":"e\n","type":"t","data":{"object":{}}}"#,
        #"{"id":"e\ud83d\ude00","type":"t","data":{"object":{}}}"#,
        #"{"id":"e","type":"t","data":{"object":{},"object":1}}"#,
        #"{"id":"e","type":"t","data":null}"#,
        #"{"id":"e","type":"t","data":{"object":null}}"#,
        #"{"id":"e","type":"t","data":{"object":[]}}"#,
        #"{"id":"e","type":"t","data":{}}"#,
        #"{"id":"","type":"t","data":{"object":{}}}"#,
        #"{"id":"e","type":7,"data":{"object":{}}}"#,
        #"{"type":"t","data":{"object":{}}}"#,
        #"[{"id":"e"}]"#, #""x""#, "", " ", "{", "{}", "null",
        #"{"id":"e",}"#,
        #"{"id":"e","type":"t","data":{"object":{}}} x"#,
        #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":tru}"#, #"{"a":1e}"#, #"{"a":.5}"#,
        #"{"a":"\x"}"#, #"{"a":"\u12"}"#, "{\"a\":\"\u{01}\"}", #"{"a":[1,]}"#, #"{"a" 1}"#,
        "\u{FEFF}{\"id\":\"e\",\"type\":\"t\",\"data\":{\"object\":{}}}",
        String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ]

    @Test(arguments: bodies)
    func scannerAgreesWithJSONDecoder(_ body: String) {
        let bytes = Array(body.utf8)
        let scanned = Result { () throws(Rejection) in try EventEnvelope.decode(bytes) }
        let decoded = Result { () throws(Rejection) in try EventEnvelope.decodeWithJSONDecoder(bytes) }
        #expect(EnvelopeAgreement.holds(scanned, decoded), "\(body): \(scanned) vs \(decoded)")
    }

    /// Strings are skipped eight bytes at a time: a string's end, an escape, a control byte or a UTF-8 sequence
    /// at every offset of those words.
    @Test func stringsEndOrEscapeAtEveryOffsetOfTheWords() throws {
        for length in 0..<26 {
            let plain = String(repeating: "a", count: length)
            let id = "evt_" + plain
            let envelope = { (value: String) in
                "{\"id\":\"\(id)\",\"type\":\"t.\(plain)\",\"data\":{\"object\":{\"s\":\"\(value)\"}}}"
            }
            let plainBody = Array(envelope(plain + "x" + plain).utf8)
            let scanned = plainBody.withUnsafeBytes { EnvelopeScanner.scan($0) }
            #expect(try scanned?.get().id == id, "length \(length)")
            #expect(try scanned?.get().type == "t." + plain, "length \(length)")
            for inner in [#"\""#, #"\\"#, #"\n"#, #"\u00e9"#, "é€", "\u{01}", "\u{1F}", "\t", "\u{7F}"] {
                let bytes = Array(envelope(plain + inner + plain).utf8)
                let scanned = Result { () throws(Rejection) in try EventEnvelope.decode(bytes) }
                let decoded = Result { () throws(Rejection) in try EventEnvelope.decodeWithJSONDecoder(bytes) }
                #expect(EnvelopeAgreement.holds(scanned, decoded), "\(length) \(inner): \(scanned) vs \(decoded)")
                let control = inner.unicodeScalars.first.map { $0.value < 0x20 } ?? false
                let accepted = (try? scanned.get()) != nil
                #expect(accepted == !control, "\(length) \(inner): \(scanned)")
            }
        }
    }

    @Test(arguments: Fixture.names)
    func fixturesTakeTheFastPath(_ name: String) throws {
        let body = try Fixture.bytes(name)
        let scanned = body.withUnsafeBytes { EnvelopeScanner.scan($0) }
        guard case .success(let envelope)? = scanned else {
            Issue.record("\(name) did not take the scanner's path: \(String(describing: scanned))")
            return
        }
        #expect(envelope == (try EventEnvelope.decodeWithJSONDecoder(body)))
    }
}
