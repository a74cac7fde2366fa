import Foundation
import Testing
import WooshPay

@testable import WooshhookDaemon

/// The rejection log's pure parts: the line, the sampler, the per-minute tally, and the rotation bound on a real
/// directory.
@Suite struct RejectionLogUnitTests {
    static func entry(
        _ code: RejectionCode = .signatureMismatch, at time: Int64 = 1_764_420_000_000,
        path: String = "/webhooks/wooshpay"
    )
        -> RejectionEntry
    {
        RejectionEntry(
            timeMilliseconds: time, code: code, remoteAddr: "203.0.113.5", method: "POST", path: path,
            contentLength: 198)
    }

    static func object(_ line: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] ?? [:]
    }

    @Test func lineHoldsTheFieldsAndEscapesAndCutsWhatCameFromOutside() throws {
        let plain = Self.entry().line()
        #expect(plain.last == 0x0A)
        #expect(
            String(decoding: plain, as: UTF8.self) == """
                {"time":"2025-11-29T12:40:00.000Z","status":401,"code":"signature_mismatch","remote_addr":"203.0.113.5",\
                "method":"POST","path":"/webhooks/wooshpay","content_length":198}

                """)
        var hostile = Self.entry(path: "/\"}\n\u{1}" + String(repeating: "é", count: 400))
        hostile.contentLength = nil
        hostile.authentic = .init(signatureT: "1764420000", eventID: nil, type: nil)
        let line = hostile.line(dropped: 7)
        #expect(line.filter { $0 == 0x0A }.count == 1, "one line whatever the path holds")
        let decoded = Self.object(line)
        let path = try #require(decoded["path"] as? String)
        #expect(path.hasPrefix("/\"}\n\u{1}") && path.hasSuffix("…"))
        #expect(path.utf8.count <= RejectionEntry.maximumFieldBytes + 3)
        #expect(decoded["content_length"] is NSNull)
        #expect(decoded["event_id"] is NSNull && decoded["signature_t"] as? String == "1764420000")
        #expect(decoded["dropped"] as? Int == 7)
    }

    @Test func samplerWritesABurstThenCountsAndSummarisesOncePerSecond() {
        var sampler = RejectionSampler(perSecond: 10, burst: 5, nowMilliseconds: 0)
        let admitted = (0..<20).filter { _ in sampler.admit(Self.entry(), nowMilliseconds: 0) }.count
        #expect(admitted == 5)
        sampler.drop(Self.entry(.notFound, path: "/last"), count: 3)
        #expect(sampler.summaries(nowMilliseconds: 500).isEmpty, "at most once a second")
        let lines = sampler.summaries(nowMilliseconds: 1000).map(Self.object)
        #expect(lines.count == 2)
        #expect(lines.first { $0["code"] as? String == "signature_mismatch" }?["dropped"] as? Int == 15)
        #expect(lines.first { $0["code"] as? String == "not_found" }?["path"] as? String == "/last")
        #expect(sampler.summaries(nowMilliseconds: 2000).isEmpty, "counts restart after a summary")
        // Refilled at 10 a second, up to the burst: 0.2 s later two more, a second later five (not ten).
        #expect((0..<20).filter { _ in sampler.admit(Self.entry(), nowMilliseconds: 200) }.count == 2)
        #expect((0..<20).filter { _ in sampler.admit(Self.entry(), nowMilliseconds: 1200) }.count == 5)
    }

    @Test func tallyCountsTheLastHourByCodeAndForgetsOlderMinutes() {
        var tally = RejectionTally()
        let start: Int64 = 1_764_420_000_000
        tally.count(.notFound, atMilliseconds: start)
        tally.count(.notFound, atMilliseconds: start + 30_000)
        tally.count(.signatureMissing, atMilliseconds: start + 59 * 60_000)
        let hour = tally.lastHour(nowMilliseconds: start + 59 * 60_000)
        #expect(hour[.notFound] == 2 && hour[.signatureMissing] == 1 && hour[.bodyTooLarge] == 0)
        #expect(tally.perMinute(nowMilliseconds: start + 59 * 60_000).first == 2)
        #expect(tally.perMinute(nowMilliseconds: start + 59 * 60_000).last == 1)
        // An hour later the first minute has left the window, and its slot is reused without its old counts.
        tally.count(.invalidPayload, atMilliseconds: start + 60 * 60_000)
        let later = tally.lastHour(nowMilliseconds: start + 60 * 60_000)
        #expect(later[.notFound] == 0 && later[.invalidPayload] == 1 && later[.signatureMissing] == 1)
    }

    @Test func filesNeverHoldMoreThanTheBound() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rejections-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let maxBytes = 16_384
        func total() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).reduce(0) { sum, name in
                sum + ((try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")[.size] as? Int) ?? 0)
            }
        }
        /// Bytes on disk, reserve included (`st_blocks`), of one file or both.
        func allocated(_ names: [String] = [RejectionLogFile.currentName, RejectionLogFile.previousName]) -> Int {
            names.reduce(0) { sum, name in
                var info = stat()
                return sum + (stat("\(directory)/\(name)", &info) == 0 ? Int(info.st_blocks) * 512 : 0)
            }
        }
        let file = RejectionLogFile(directory: directory, maxBytes: maxBytes)
        try file.open()
        #expect(file.reserveFailure == nil)
        #expect(allocated([RejectionLogFile.currentName]) >= maxBytes / 2, "the current file's share is reserved")
        for round in 0..<200 {
            let lines = (0..<7).map {
                Self.entry(path: "/" + String(repeating: "x", count: (round * 37 + $0 * 11) % 300)).line()
            }
            #expect(file.write(lines) == nil)
            #expect(total() <= maxBytes)
            #expect(allocated() <= maxBytes + 8192, "the reserve stays within the bound (blocks round up)")
            #expect(allocated([RejectionLogFile.currentName]) >= maxBytes / 2, "a new current file is reserved too")
        }
        file.close()
        #expect(total() > maxBytes / 2, "both files in use")
        // Every line in both files is whole.
        for name in [RejectionLogFile.currentName, RejectionLogFile.previousName] {
            let data = try #require(FileManager.default.contents(atPath: "\(directory)/\(name)"))
            for line in data.split(separator: 0x0A) { #expect(RejectionRecord.decode(Array(line)) != nil) }
        }
        // A lower bound at the next start is enforced at once.
        let smaller = RejectionLogFile(directory: directory, maxBytes: maxBytes / 2)
        try smaller.open()
        smaller.close()
        #expect(total() <= maxBytes / 2)
        #expect(allocated() <= maxBytes / 2 + 8192, "a lowered bound holds on disk, but for the older file's rotation")
    }

    @Test func everyCodeHasItsOwnIndex() {
        let indices = RejectionCode.allCases.map(RejectionCodeIndex.of)
        #expect(Set(indices).count == RejectionCodeIndex.count)
        #expect(indices.allSatisfy { (0..<RejectionCodeIndex.count).contains($0) })
    }

    /// An authentic body's `event_id` and `type` reach the human line: no control character of theirs, C0 or C1,
    /// ESC included, may reach the terminal; only the line's own colours may.
    @Test func theHumanLinePassesNoControlCharacterFromTheLog() throws {
        let entry = RejectionEntry(
            timeMilliseconds: 1_764_420_000_000, code: .timestampOutOfTolerance, remoteAddr: "203.0.113.5",
            method: "POST", path: "/webhooks/wooshpay", contentLength: 198,
            authentic: .init(signatureT: "1", eventID: "evt_\u{1B}[2J\u{9B}31m", type: "payment\u{07}_intent"))
        let record = try #require(RejectionRecord.decode(entry.line()))
        let plain = RejectionLine.human(record, colour: false)
        #expect(!plain.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(plain)")
        #expect(plain.contains("evt_?[2J?31m"))
        let coloured = RejectionLine.human(record, colour: true)
        #expect(!coloured.contains("\u{1B}[2J"))
        #expect(coloured.contains("\u{1B}[1mtimestamp_out_of_tolerance\u{1B}[0m"))
    }

    @Test func htmlEscapingLeavesNoMarkup() {
        #expect(
            HTMLEscaping.escape(#"<script>alert("x")</script> & 'y'"#)
                == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        #expect(HTMLEscaping.escape("évt_1") == "évt_1")
    }
}
