import Testing
import WooshPay
import WooshhookTesting

struct SignatureTests {
    /// The random secrets, timestamps and bodies; `WOOSHHOOK_SIGNATURE_SEED=N` replays them.
    static let seed = SeededGenerator.seed(for: "signature tests", variable: "WOOSHHOOK_SIGNATURE_SEED")
    static let secondsVector = "4f604d843dfa77ee9902c5436151e1960cb8785c7394de5ee7202736f6dad358"
    static let millisecondsVector = "336e0c50c8f8c0121e7332217600450c8e51d4a6a90b703dc8f15fca4f1c10c3"

    @Test func specVectorsFromTheSigner() {
        #expect(specBody.count == 198)
        #expect(Signer.signature(secret: "whsec_test", timestamp: "1732168215", body: specBody) == Self.secondsVector)
        #expect(
            Signer.signature(secret: "whsec_test", timestamp: "1732168215000", body: specBody)
                == Self.millisecondsVector)
        #expect(
            Signer.header(secret: "whsec_test", timestamp: "1732168215", body: specBody)
                == "t=1732168215,v1=\(Self.secondsVector)")
    }

    @Test func specVectorsThroughTheVerifier() throws {
        let verifier = Verifier(secrets: ["whsec_test"], toleranceSeconds: 300)
        let seconds = try verifier.authenticate(
            body: specBody, signatureHeader: Array("t=1732168215,v1=\(Self.secondsVector)".utf8))
        #expect(seconds.timestampSeconds == 1_732_168_215)
        try verifier.checkFreshness(seconds, nowSeconds: 1_732_168_215)
        let milliseconds = try verifier.authenticate(
            body: specBody, signatureHeader: Array("t=1732168215000,v1=\(Self.millisecondsVector)".utf8))
        #expect(milliseconds.timestamp == "1732168215000")
        #expect(milliseconds.timestampSeconds == 1_732_168_215)
        try verifier.checkFreshness(milliseconds, nowSeconds: 1_732_168_215)
    }

    @Test func notesVectorOnTheSucceededFixture() throws {
        let body = try Fixture.bytes("payment_intent.succeeded")
        #expect(
            Signer.signature(secret: "whsec_9rTestOnlyNotARealSecret00000", timestamp: "1732168215", body: body)
                == "43c66365a714dacaea82b3a57933213e4487192c13bd0b036b50423c0c061153")
    }

    @Test(arguments: [
        ("", "empty"), ("garbage", "garbage"), ("v1=\(secondsVector)", "no t"),
        ("t=1,t=2,v1=\(secondsVector)", "two t"), ("t=1732168215", "no v1"),
        ("t=17321x8215,v1=\(secondsVector)", "non-digit t"), ("t=,v1=\(secondsVector)", "empty t"),
        ("t=-1732168215,v1=\(secondsVector)", "negative t"), ("t=12345678901234567890,v1=ab", "t too long"),
        ("t=9999999999999999999,v1=ab", "t over Int64.max"),
        (",,,", "only commas"),
    ])
    func malformedHeaders(_ header: String, _ label: String) {
        let verifier = Verifier(secrets: ["whsec_test"], toleranceSeconds: 300)
        #expect(throws: Rejection.self, "\(label)") {
            try verifier.authenticate(body: specBody, signatureHeader: Array(header.utf8))
        }
        do {
            _ = try verifier.authenticate(body: specBody, signatureHeader: Array(header.utf8))
        } catch {
            #expect(error.code == .signatureMalformed, "\(label): \(error)")
        }
    }

    @Test func nonASCIIHeaderBytesAreMalformed() {
        let header = Array("t=1732168215,v1=".utf8) + [0xC3, 0xA9] + Array(Self.secondsVector.utf8)
        do {
            _ = try Verifier(secrets: ["whsec_test"], toleranceSeconds: 0).authenticate(
                body: specBody, signatureHeader: header)
            Issue.record("accepted a header with non-ASCII bytes")
        } catch {
            #expect(error.code == .signatureMalformed)
        }
    }

    @Test func grammarToleratesSpacesOtherKeysAndEqualsInValues() throws {
        let verifier = Verifier(secrets: ["whsec_test"], toleranceSeconds: 0)
        for header in [
            " t = 1732168215 , v1 = \(Self.secondsVector) ",
            "v0=deadbeef,t=1732168215,v1=\(Self.secondsVector),extra=a=b",
            "t=1732168215,v1=\(Self.secondsVector.uppercased())",
            "t=1732168215,v1=\(String(repeating: "0", count: 64)),v1=\(Self.secondsVector)",
        ] {
            let parsed = try verifier.authenticate(body: specBody, signatureHeader: Array(header.utf8))
            #expect(parsed.timestamp == "1732168215", "\(header)")
        }
    }

    @Test func missingHeaderWrongSecretTamperedBodyAndTruncatedSignature() {
        let verifier = Verifier(secrets: ["whsec_test"], toleranceSeconds: 0)
        func code(_ body: [UInt8], _ header: String?) -> RejectionCode? {
            do {
                _ = try verifier.authenticate(body: body, signatureHeader: header.map { Array($0.utf8) })
                return nil
            } catch {
                return error.code
            }
        }
        let good = "t=1732168215,v1=\(Self.secondsVector)"
        #expect(code(specBody, nil) == .signatureMissing)
        #expect(code(specBody + [0x20], good) == .signatureMismatch)
        #expect(code(specBody, "t=1732168216,v1=\(Self.secondsVector)") == .signatureMismatch)
        #expect(code(specBody, "t=1732168215,v1=\(Self.secondsVector.dropLast(2))") == .signatureMismatch)
        #expect(code(specBody, "t=1732168215,v1=zz\(Self.secondsVector.dropFirst(2))") == .signatureMismatch)
        let lastNibble = Self.secondsVector.last == "0" ? "1" : "0"
        #expect(code(specBody, "t=1732168215,v1=\(Self.secondsVector.dropLast())\(lastNibble)") == .signatureMismatch)
        #expect(code(specBody, "t=1732168215,v1=\(Self.secondsVector)00") == .signatureMismatch)
        #expect(
            Verifier(secrets: ["whsec_other"], toleranceSeconds: 0).authenticate(specBody, good) == .signatureMismatch)
        #expect(code(specBody, good) == nil)
    }

    /// The Signer and the Verifier's prepared HMAC against Python's `hmac` module: secrets of 0–300 bytes (shorter
    /// than SHA-256's 64-byte block, at its edges, longer and so hashed first), non-ASCII; bodies of any bytes.
    @Test func signerAndVerifierAgreeWithPythonsHMAC() throws {
        var generator = SeededGenerator(seed: Self.seed)
        let alphabet = Array("aZ9_-é€😀")
        var cases: [(secret: String, timestamp: String, body: [UInt8])] = []
        var nonASCII = 0
        for length in [0, 1, 32, 63, 64, 65, 127, 128, 129, 300]
            + (0..<40).map({ _ in Int.random(in: 0...300, using: &generator) })
        {
            // Characters of 1 to 4 UTF-8 bytes, trimmed to exactly `length` bytes of whole characters.
            var secret = ""
            while secret.utf8.count < length {
                let next = alphabet.randomElement(using: &generator) ?? "a"
                secret.append(secret.utf8.count + String(next).utf8.count <= length ? next : "a")
            }
            #expect(secret.utf8.count == length)
            if secret.utf8.contains(where: { $0 >= 0x80 }) { nonASCII += 1 }
            let body = (0..<Int.random(in: 0...3000, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            cases.append((secret, String(Int.random(in: 1_000_000_000...1_999_999_999_999, using: &generator)), body))
        }
        #expect(nonASCII > cases.count / 2)
        let expected = try PythonOracle.hmacSHA256(
            cases.map { (Array($0.secret.utf8), Array("\($0.timestamp).".utf8) + $0.body) })
        for (index, (secret, timestamp, body)) in cases.enumerated() {
            #expect(
                Signer.signature(secret: secret, timestamp: timestamp, body: body) == expected[index],
                "secret \(secret)")
            let verifier = Verifier(secrets: ["whsec_other", secret], toleranceSeconds: 0)
            let header = Array("t=\(timestamp),v1=\(expected[index])".utf8)
            #expect(
                try verifier.authenticate(body: body, signatureHeader: header).timestamp == timestamp,
                "secret \(secret)")
            var altered = body + [0]
            if !body.isEmpty {
                altered = body
                altered[Int.random(in: 0..<body.count, using: &generator)] ^= 0x01
            }
            #expect(throws: Rejection.self) { try verifier.authenticate(body: altered, signatureHeader: header) }
        }
    }

    @Test func anyOfSeveralSecretsMatches() throws {
        let verifier = Verifier(secrets: ["whsec_old", "whsec_test"], toleranceSeconds: 0)
        _ = try verifier.authenticate(
            body: specBody, signatureHeader: Array("t=1732168215,v1=\(Self.secondsVector)".utf8))
    }

    @Test func freshnessEdgesInSecondsAndMilliseconds() throws {
        let verifier = Verifier(secrets: ["whsec_test"], toleranceSeconds: 300)
        for timestamp in ["1732168215", "1732168215000"] {
            let header = try SignatureHeader(parsing: Array("t=\(timestamp),v1=ab".utf8))
            try verifier.checkFreshness(header, nowSeconds: 1_732_168_215 + 300)
            try verifier.checkFreshness(header, nowSeconds: 1_732_168_215 - 300)
            for now: Int64 in [1_732_168_215 + 301, 1_732_168_215 - 301] {
                do {
                    try verifier.checkFreshness(header, nowSeconds: now)
                    Issue.record("t=\(timestamp) accepted at \(now)")
                } catch {
                    #expect(error.code == .timestampOutOfTolerance)
                    #expect(error.message.contains("301"), "\(error.message)")
                }
            }
        }
        let off = Verifier(secrets: ["whsec_test"], toleranceSeconds: 0)
        try off.checkFreshness(try SignatureHeader(parsing: Array("t=1,v1=ab".utf8)), nowSeconds: 1_732_168_215)
    }

    @Test func everyRejectionHasItsStatus() {
        let expected: [RejectionCode: Int] = [
            .notFound: 404, .methodNotAllowed: 405, .bodyTooLarge: 413, .unsupportedMediaType: 415,
            .signatureMissing: 401, .signatureMalformed: 401, .signatureMismatch: 401, .timestampOutOfTolerance: 401,
            .invalidPayload: 400, .journalUnavailable: 503, .shuttingDown: 503,
            .badRequest: 400, .lengthRequired: 411, .headerTooLarge: 431, .httpVersionNotSupported: 505,
            .requestTimeout: 408,
        ]
        for code in RejectionCode.allCases { #expect(code.httpStatus == expected[code], "\(code)") }
    }
}

extension Verifier {
    fileprivate func authenticate(_ body: [UInt8], _ header: String) -> RejectionCode? {
        do {
            _ = try authenticate(body: body, signatureHeader: Array(header.utf8))
            return nil
        } catch {
            return error.code
        }
    }
}
