import Foundation
import Testing
import WooshhookTesting

/// The harness's own promises, which every other test's deadlines rest on.
@Suite struct HarnessTests {
    @Test func aChildInheritsOnlyItsThreeStandardFds() throws {
        // Inheritable on purpose (not close-on-exec): the child must still not get it.
        var unrelated: [Int32] = [-1, -1]
        try #require(pipe(&unrelated) == 0)
        defer { for fd in unrelated { close(fd) } }
        let listing = try SpawnedProcess.run("sh", ["-c", "ls /proc/$$/fd; true"])
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stdout.split(separator: "\n").sorted() == ["0", "1", "2"], "\(listing.stdout)")
    }

    @Test func aCommandThatOutlivesItsTimeoutIsKilledAndReported() throws {
        let started = Date()
        #expect(throws: TestFailure.self) { try SpawnedProcess.run("sh", ["-c", "echo begun; sleep 30"], timeout: 1) }
        #expect(Date().timeIntervalSince(started) < 15)
    }

    @Test func stdinStdoutStderrAndStatusComeBack() throws {
        let result = try SpawnedProcess.run("sh", ["-c", "cat; echo oops >&2; exit 3"], stdin: Data("hello".utf8))
        #expect(result.status == 3)
        #expect(result.stdout == "hello")
        #expect(result.stderr == "oops\n")
        let unread = try SpawnedProcess.run("true", [], stdin: Data(repeating: 0x61, count: 1 << 20))
        #expect(unread.status == 0)
    }
}
