import Hashing
import Testing
import WooshhookTesting

/// SHA-256 and HMAC-SHA256 from libcrypto against published vectors and against Python's `hashlib` and `hmac`.
struct HashingTests {
    /// The random keys, messages and pieces; `WOOSHHOOK_HASHING_SEED=N` replays them.
    static let seed = SeededGenerator.seed(for: "hashing tests", variable: "WOOSHHOOK_HASHING_SEED")

    @Test func sha256PublishedVectors() {
        #expect(SHA256.hash([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hash(twoBlocks).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// RFC 4231 test cases 1, 2 and 6 (a 131-byte key, hashed first).
    @Test func hmacRFC4231Vectors() {
        func mac(_ key: [UInt8], _ message: String) -> String {
            var mac = HMACSHA256Key(key).start()
            mac.update(Array(message.utf8))
            return mac.finalize().hex
        }
        #expect(
            mac(Array(repeating: 0x0B, count: 20), "Hi There")
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            mac(Array("Jefe".utf8), "what do ya want for nothing?")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            mac(Array(repeating: 0xAA, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First")
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// Random keys (0–300 bytes, so shorter than, at and beyond the 64-byte block) and messages of any bytes, fed
    /// in random pieces through one prepared key used again and again.
    @Test func hmacAndSHA256AgreeWithPython() throws {
        var generator = SeededGenerator(seed: Self.seed)
        let keyLengths =
            [0, 1, 32, 63, 64, 65, 127, 128, 129, 300]
            + (0..<60).map { _ in Int.random(in: 0...300, using: &generator) }
        var cases: [(key: [UInt8], message: [UInt8])] = []
        for length in keyLengths {
            let key = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for _ in 0..<3 {
                let message = (0..<Int.random(in: 0...3000, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
                cases.append((key, message))
            }
        }
        let expectedMACs = try PythonOracle.hmacSHA256(cases)
        let expectedDigests = try PythonOracle.sha256(cases.map(\.message))
        var prepared: (key: [UInt8], value: HMACSHA256Key)?
        for (index, (key, message)) in cases.enumerated() {
            if prepared?.key != key { prepared = (key, HMACSHA256Key(key)) }
            guard let prepared else { continue }
            var mac = prepared.value.start()
            var hasher = SHA256()
            var start = 0
            while start < message.count {
                let end = min(message.count, start + Int.random(in: 1...200, using: &generator))
                mac.update(message[start..<end])
                hasher.update(message[start..<end])
                start = end
            }
            #expect(mac.finalize().hex == expectedMACs[index], "key of \(key.count) bytes, message of \(message.count)")
            #expect(hasher.finalize().hex == expectedDigests[index], "message of \(message.count) bytes")
            #expect(SHA256.hash(message).hex == expectedDigests[index])
        }
    }

    @Test func digestBytesAndEquality() {
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(digest.bytes.count == SHA256Digest.byteCount)
        #expect(digest.bytes.prefix(4) == [0xBA, 0x78, 0x16, 0xBF])
        #expect(digest == SHA256.hash(Array("abc".utf8)))
        #expect(digest != SHA256.hash(Array("abd".utf8)))
    }
}
