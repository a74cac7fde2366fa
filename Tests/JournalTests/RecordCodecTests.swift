import Foundation
import Testing
import TextFormats
import WooshhookTesting

@testable import Journal

struct RecordCodecTests {
    /// The random bytes and integers; `WOOSHHOOK_RECORD_CODEC_SEED=N` replays them.
    static let seed = SeededGenerator.seed(for: "record codec tests", variable: "WOOSHHOOK_RECORD_CODEC_SEED")

    static let bodies: [String] = [
        "{\"id\":\"evt_1\",\r\n\"type\":\"x\"}\r\n",
        "{\n  \"id\": \"evt_2\",\n  \"data\": {\n    \"object\": {}\n  }\n}\n",
        "{\"description\":\"Café — 東京 🎉\"}",
        "{\"q\":\"a \\\"quoted\\\" \\\\ back\\\\slash \\u0001 \\t\"}",
        "{\"raw\":\"\u{01}\u{1F}\u{7F}\",\t\"tab\":1}",
    ]

    @Test(arguments: bodies)
    func bodyRoundTripsByteForByte(_ body: String) throws {
        let pending = record("evt_round", body: body, receivedAt: 1_732_184_130_123)
        var line: [UInt8] = []
        pending.appendLine(seq: 7, to: &line)
        #expect(line.last == 0x0A)
        #expect(line.dropLast().contains(0x0A) == false)
        let decoded = try JournalRecord.decode(line: Array(line.dropLast())).get()
        #expect(decoded.body == Array(body.utf8))
        #expect(decoded.seq == 7)
        #expect(decoded.sha256 == (try PythonOracle.sha256([Array(body.utf8)])).first)
        #expect(decoded.receivedAt == "2024-11-21T10:15:30.123Z")
        #expect(decoded.eventID == "evt_round")
        #expect(decoded.livemode == true)
        #expect(decoded.created == 1_732_168_214)
        #expect(decoded.remoteAddr == "203.0.113.5")
        #expect(decoded.signatureT == "1732168215")
        #expect(decoded.reason == nil)
    }

    @Test func escapingInPlaceMatchesTheByteByByteEscaperAndDecodesBack() throws {
        var generator = SeededGenerator(seed: Self.seed)
        let singles = (0...255).map { [UInt8($0)] }
        let mixed = (0..<500).map { _ in
            (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                Bool.random(using: &generator)
                    ? UInt8.random(in: 0...0x7F, using: &generator)
                    : [0x22, 0x5C, 0x0A, 0x00, 0x1F, 0x41].randomElement(using: &generator) ?? 0
            }
        }
        // Any byte, in runs that cross the eight-byte words at every offset.
        let anyBytes = (0..<500).map { _ in
            (0..<Int.random(in: 0...80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        for bytes in [[]] + singles + mixed + anyBytes {
            var reference: [UInt8] = [0x7B]
            JSONEscaping.appendString(bytes.lazy.map { $0 }, to: &reference)
            var inPlace: [UInt8] = [0x7B]
            bytes.withUnsafeBytes { JSONEscaping.appendString($0, to: &inPlace) }
            #expect(inPlace == reference, "\(bytes)")
            if bytes.allSatisfy({ $0 < 0x80 }) {
                let decoded = try JSONDecoder().decode(String.self, from: Data(inPlace.dropFirst()))
                #expect(Array(decoded.utf8) == bytes)
            }
        }
    }

    @Test func integersAndHexAreWrittenWithoutAString() {
        var generator = SeededGenerator(seed: Self.seed &+ 1)
        let signed: [Int64] =
            [0, 7, -7, 10, -10, 1_732_168_185_000, .max, .min]
            + (0..<200).map { _ in Int64.random(in: .min ... .max, using: &generator) }
        for value in signed {
            var out: [UInt8] = [0x2C]
            JSONEscaping.appendInteger(value, to: &out)
            #expect(out == [0x2C] + Array(String(value).utf8))
        }
        for value in [UInt64.max, 0, 1, 18_446_744_073_709_551_606] {
            var out: [UInt8] = []
            JSONEscaping.appendInteger(value, to: &out)
            #expect(out == Array(String(value).utf8))
        }
        let bytes = (0...255).map(UInt8.init)
        var hex: [UInt8] = [0x22]
        bytes.withUnsafeBytes { Hex.append($0, to: &hex) }
        #expect(hex == [0x22] + Array(bytes.map { String(format: "%02x", $0) }.joined().utf8))
    }

    @Test func fieldsAreInSpecOrder() throws {
        var line: [UInt8] = []
        record("evt_1", body: "{}", receivedAt: 1_732_184_130_123, reason: "stale").appendLine(seq: 1, to: &line)
        let text = String(decoding: line, as: UTF8.self)
        let keys = [
            "seq", "received_at", "event_id", "type", "livemode", "created", "remote_addr", "signature_t",
            "sha256", "body", "reason",
        ]
        let positions = keys.compactMap { text.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.count == keys.count)
        #expect(positions == positions.sorted())
        #expect(text.hasPrefix("{\"seq\":1,\"received_at\":\"2024-11-21T10:15:30.123Z\",\"event_id\":\"evt_1\""))
    }

    /// The whole line, byte for byte, as `RecordLayout` lays it out: what every reader of the journal relies on.
    @Test func theLineIsExactlyTheLayout() {
        var line: [UInt8] = []
        record("evt_1", body: "{}", receivedAt: 1_732_184_130_123, reason: "stale").appendLine(seq: 12, to: &line)
        #expect(
            String(decoding: line, as: UTF8.self)
                == "{\"seq\":12,\"received_at\":\"2024-11-21T10:15:30.123Z\",\"event_id\":\"evt_1\","
                + "\"type\":\"payment_intent.succeeded\",\"livemode\":true,\"created\":1732168214,"
                + "\"remote_addr\":\"203.0.113.5\",\"signature_t\":\"1732168215\","
                + "\"sha256\":\"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"body\":\"{}\","
                + "\"reason\":\"stale\"}\n")
    }

    @Test func theFixedStartIsFoundWhereTheWriterPutsIt() throws {
        func start(_ text: String) -> (seq: UInt64, receivedAt: Int)? {
            Array(text.utf8).withUnsafeBytes { RecordLayout.start(of: $0) }
        }
        let tail = String(repeating: "x", count: 80)
        var line: [UInt8] = []
        record("evt_start", receivedAt: 1_732_184_130_123).appendLine(seq: 9_876, to: &line)
        let found = try #require(line.withUnsafeBytes { RecordLayout.start(of: $0) })
        #expect(found.seq == 9_876)
        let time = line[found.receivedAt..<found.receivedAt + 24]
        #expect(String(decoding: time, as: UTF8.self) == "2024-11-21T10:15:30.123Z")
        #expect(start("{\"seq\":9999999999999999999,\"received_at\":\"" + tail)?.seq == 9_999_999_999_999_999_999)
        // A seq of 20 digits, a seq that is not digits, a short line, another first key: the readers' slow path.
        #expect(start("{\"seq\":18446744073709551615,\"received_at\":\"" + tail) == nil)
        #expect(start("{\"seq\": 1,\"received_at\":\"" + tail) == nil)
        #expect(start("{\"seq\":,\"received_at\":\"" + tail) == nil)
        #expect(start("{\"seq\":1,\"received_at\":\"2024-11-21T10:15:30.123Z\"}") == nil)
        #expect(start("{\"received_at\":\"x\",\"seq\":1" + tail) == nil)

        func hasEventID(_ line: [UInt8], _ id: String) -> Bool? {
            line.withUnsafeBytes { MappedSegment.hasEventID($0, quotedID: MappedSegment.quotedID(id)) }
        }
        #expect(hasEventID(line, "evt_start") == true)
        #expect(hasEventID(line, "evt_sta") == false)
        #expect(hasEventID(line, "evt_other") == false)
        #expect(hasEventID(Array(("{\"event_id\":\"evt_start\",\"seq\":1" + tail).utf8), "evt_start") == nil)
    }

    @Test func aPreparedLineIsTheSameBytes() {
        let body = "{\"a\":\"quote \\\" tab \\t é\"}\r\n\u{01}"
        for reason: String? in [nil, "stale \"t\""] {
            var pending = record("evt_\"prepared\"", body: body, reason: reason)
            var direct: [UInt8] = []
            pending.appendLine(seq: 42, to: &direct)
            pending.prepare()
            var prepared: [UInt8] = []
            pending.appendLine(seq: 42, to: &prepared)
            #expect(prepared == direct)
            #expect(JournalRecord.decode(line: Array(prepared.dropLast())).map(\.seq) == .success(42))
        }
    }

    @Test func nullLivemodeAndCreated() throws {
        let pending = PendingRecord(
            receivedAtMilliseconds: 0, eventID: "e", type: "t", livemode: nil, created: nil, remoteAddr: "::1",
            signatureT: "1", body: Array("{}".utf8))
        var line: [UInt8] = []
        pending.appendLine(seq: 1, to: &line)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains("\"livemode\":null,\"created\":null"))
        #expect(text.contains("\"received_at\":\"1970-01-01T00:00:00.000Z\""))
    }

    @Test func damagedLinesAreExplained() {
        func reason(_ text: String) -> String? {
            if case .failure(let error) = JournalRecord.decode(line: Array(text.utf8)) { return error.description }
            return nil
        }
        #expect(reason("{\"seq\":1") == "not valid JSON")
        #expect(reason("\0\0\0") == "zero bytes")
        #expect(reason("{\"seq\":1}")?.contains("missing") == true)
        var line: [UInt8] = []
        record("evt", body: "{\"a\":1}").appendLine(seq: 1, to: &line)
        let tampered = String(decoding: line.dropLast(), as: UTF8.self).replacingOccurrences(
            of: "\\\"a\\\":1", with: "\\\"a\\\":2")
        #expect(reason(tampered) == "sha256 does not match the body")
    }

    @Test func recordTimeRoundTrips() {
        for milliseconds: Int64 in [0, 951_782_400_000, 1_732_184_130_123, 4_102_444_799_999] {
            let text = RecordTime.text(milliseconds)
            #expect(RecordTime.seconds(text.utf8) == milliseconds / 1000, "\(text)")
        }
        #expect(RecordTime.text(951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(RecordTime.seconds("2026-13-01T00:00:00.000Z".utf8) == nil)
        #expect(RecordTime.seconds("garbage".utf8) == nil)
    }

    @Test func recordTimeFormatsExactly() {
        #expect(RecordTime.text(0) == "1970-01-01T00:00:00.000Z")
        #expect(RecordTime.text(1) == "1970-01-01T00:00:00.001Z")
        #expect(RecordTime.text(1_795_256_130_120) == "2026-11-21T10:15:30.120Z")
        #expect(RecordTime.text(1_795_256_130_999) == "2026-11-21T10:15:30.999Z")
        #expect(RecordTime.text(253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(RecordTime.text(4_107_542_399_000) == "2100-02-28T23:59:59.000Z")
        #expect(RecordTime.text(4_107_542_400_000) == "2100-03-01T00:00:00.000Z")
        var bytes: [UInt8] = Array("x".utf8)
        RecordTime.append(1_795_256_130_123, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x2026-11-21T10:15:30.123Z")
    }

    @Test func recordTimeReadsOnlyItsOwnFormStrictly() {
        #expect(RecordTime.milliseconds("1970-01-01T00:00:00.000Z") == 0)
        #expect(RecordTime.milliseconds("2026-11-21T10:15:30.123Z") == 1_795_256_130_123)
        #expect(RecordTime.milliseconds("9999-12-31T23:59:59.999Z") == 253_402_300_799_999)
        #expect(RecordTime.milliseconds("2000-02-29T00:00:00.000Z") == 951_782_400_000)
        // Days the calendar does not have; the lenient `seconds` counts them on into the next month.
        #expect(RecordTime.milliseconds("2100-02-29T00:00:00.000Z") == nil)
        #expect(RecordTime.milliseconds("2026-02-30T00:00:00.000Z") == nil)
        #expect(RecordTime.milliseconds("2026-04-31T00:00:00.000Z") == nil)
        #expect(RecordTime.seconds("2026-04-31T00:00:00.000Z".utf8) == RecordTime.seconds("2026-05-01T00:00:00Z".utf8))
        // A leap second is the next minute's first, unless that is the next day.
        #expect(
            RecordTime.milliseconds("2026-06-30T10:00:60.000Z") == RecordTime.milliseconds("2026-06-30T10:01:00.000Z"))
        #expect(RecordTime.milliseconds("2026-06-30T23:59:60.000Z") == nil)
        for other in [
            "2026-11-21T10:15:30Z", "2026-11-21T10:15:30.12Z", "2026-11-21T10:15:30.1234Z", "2026-11-21 10:15:30.123Z",
            "2026-11-21T10:15:30.123+00:00", "2026-11-21T24:00:00.000Z", "2026-00-21T10:15:30.123Z",
            "2026-11-21T10:15:30,123Z", "2026-11-21T10:15:3a.123Z", "", "2026-11-21",
        ] {
            #expect(RecordTime.milliseconds(other) == nil, "\(other)")
        }
        #expect(RecordTime.seconds("2026-11-21T10:15:30Z".utf8) == 1_795_256_130)
    }

    /// The codecs it replaced formatted with `gmtime_r` and read with `timegm`: it must agree with them on every
    /// time a clock gives, to the byte.
    @Test func recordTimeAgreesWithTheCLibrary() {
        // About 20,000 times from 1970 to 9999, every millisecond value and most seconds among them.
        for milliseconds in stride(from: Int64(0), through: 253_402_300_799_999, by: 12_670_115_039) {
            var seconds = time_t(milliseconds / 1000)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
            #expect(RecordTime.text(milliseconds) == expected)
            #expect(RecordTime.milliseconds(expected) == milliseconds)
        }
        // Which days exist, and the leap second, as `timegm` and a round trip through `gmtime_r` decided.
        for year in [1970, 1999, 2000, 2024, 2026, 2100] {
            for month in 1...12 {
                for day in 1...31 {
                    for (hour, minute, second) in [(0, 0, 0), (10, 0, 60), (23, 59, 59), (23, 59, 60)] {
                        var parts = tm()
                        parts.tm_year = Int32(year - 1900)
                        parts.tm_mon = Int32(month - 1)
                        parts.tm_mday = Int32(day)
                        parts.tm_hour = Int32(hour)
                        parts.tm_min = Int32(minute)
                        parts.tm_sec = Int32(second)
                        var seconds = timegm(&parts)
                        var check = tm()
                        gmtime_r(&seconds, &check)
                        let exists = check.tm_mday == Int32(day) && check.tm_mon == Int32(month - 1)
                        let text = String(
                            format: "%04d-%02d-%02dT%02d:%02d:%02d.042Z", year, month, day, hour, minute, second)
                        #expect(RecordTime.milliseconds(text) == (exists ? Int64(seconds) * 1000 + 42 : nil), "\(text)")
                    }
                }
            }
        }
    }

    @Test func prefixScannerMatchesFullDecode() throws {
        var line: [UInt8] = []
        record("evt_prefix", receivedAt: 1_732_184_130_123).appendLine(seq: 42, to: &line)
        let prefix = try #require(RecordPrefix.read(line.dropLast()[...]))
        #expect(prefix.seq == 42)
        #expect(prefix.receivedAtSeconds == 1_732_184_130)
        #expect(prefix.fingerprint == EventFingerprint(eventID: "evt_prefix".utf8))
        var escaped: [UInt8] = []
        record("evt_\"quoted\"", receivedAt: 1_732_184_130_123).appendLine(seq: 43, to: &escaped)
        let fallback = try #require(RecordPrefix.read(escaped.dropLast()[...]))
        #expect(fallback.fingerprint == EventFingerprint(eventID: "evt_\"quoted\"".utf8))
        #expect(RecordPrefix.read(Array("not a record".utf8)[...]) == nil)
    }
}
