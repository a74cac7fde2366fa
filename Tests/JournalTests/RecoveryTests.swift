import Foundation
import Testing

@testable import Journal

/// Torn tails as a crash, power loss or full disk leaves them, and damage in the middle for the readers.
struct RecoveryTests {
    /// Writes three records and returns the segment path and its bytes.
    private func threeRecords(_ journal: TemporaryJournal) throws -> (String, [UInt8]) {
        let writer = try journal.open()
        for index in 1...3 {
            _ = appendAndWait(writer, record("evt_\(index)", body: "{\"n\":\(index),\"s\":\"é\\n\"}"))
        }
        writer.close()
        let segment = try journal.segments()[0]
        return (segment, Array(try Data(contentsOf: URL(fileURLWithPath: segment))))
    }

    @Test func aTornLastRecordIsCutAtEveryByteOffset() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let (segment, full) = try threeRecords(journal)
        let lastStart = try #require(full.dropLast().lastIndex(of: 0x0A)) + 1
        for cut in lastStart..<full.count {
            try Data(full[..<cut]).write(to: URL(fileURLWithPath: segment))
            for leftover in try FileManager.default.contentsOfDirectory(atPath: journal.directory)
            where leftover.contains(".torn") {
                try FileManager.default.removeItem(atPath: "\(journal.directory)/\(leftover)")
            }
            let writer = try journal.open()
            #expect(writer.lastSeq == 2, "cut at \(cut)")
            let kept = Array(try Data(contentsOf: URL(fileURLWithPath: segment)))
            #expect(kept == Array(full[..<lastStart]), "cut at \(cut)")
            if cut > lastStart {
                let torn = Array(try Data(contentsOf: URL(fileURLWithPath: segment + ".torn")))
                #expect(torn == Array(full[lastStart..<cut]), "cut at \(cut)")
            }
            #expect(appendAndWait(writer, record("evt_3b")) == .appended(seq: 3))
            writer.close()
            try Data(full).write(to: URL(fileURLWithPath: segment))
        }
    }

    @Test func zeroFilledTailAndShaMismatchAreTorn() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let (segment, full) = try threeRecords(journal)
        try Data(full + [UInt8](repeating: 0, count: 4096)).write(to: URL(fileURLWithPath: segment))
        var writer = try journal.open()
        #expect(writer.lastSeq == 3)
        writer.close()
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: segment))) == full)
        #expect(journal.logs.lines.contains { $0.contains("torn") && $0.contains(segment) })

        var tampered = full
        let lastStart = try #require(full.dropLast().lastIndex(of: 0x0A)) + 1
        let marker = Array("\\\"n\\\":3".utf8)
        let found = try #require(
            (lastStart..<tampered.count - marker.count).first {
                Array(tampered[$0..<$0 + marker.count]) == marker
            })
        tampered[found + marker.count - 1] = UInt8(ascii: "4")
        try Data(tampered).write(to: URL(fileURLWithPath: segment))
        writer = try journal.open()
        #expect(writer.lastSeq == 2)
        writer.close()
        #expect(FileManager.default.fileExists(atPath: segment + ".torn.1"))
    }

    @Test func damageInTheMiddleIsSkippedByReadersAndReportedByVerify() throws {
        let journal = try TemporaryJournal()
        defer { journal.cleanUp() }
        let (segment, full) = try threeRecords(journal)
        let firstEnd = try #require(full.firstIndex(of: 0x0A))
        var damaged = full
        damaged[firstEnd + 5] = UInt8(ascii: "#")
        try Data(damaged).write(to: URL(fileURLWithPath: segment))
        var seen: [UInt64] = []
        var damage: [DamagedLine] = []
        try JournalReader(directory: journal.directory).forEachRecord { result in
            switch result {
            case .success(let record): seen.append(record.seq)
            case .failure(let line): damage.append(line)
            }
        }
        #expect(seen == [1, 3])
        #expect(damage.map(\.lineNumber) == [2])
        let report = try JournalVerifier.verify(directory: journal.directory)
        #expect(!report.isClean)
        #expect(report.damage.first?.lineNumber == 2)
        #expect(report.damage.first?.segment == segment)
        #expect(report.damage.contains { $0.reason.contains("follows seq 1") })
    }

    @Test func missingDirectoryIsAClearError() {
        #expect(throws: JournalError.self) { try JournalReader(directory: "/nonexistent/wooshhook-journal") }
        do {
            _ = try JournalReader(directory: "/nonexistent/wooshhook-journal")
        } catch {
            #expect("\(error)".contains("/nonexistent/wooshhook-journal"))
        }
    }
}
