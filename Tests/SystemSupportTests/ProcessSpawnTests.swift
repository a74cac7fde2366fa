import Glibc
import SystemSupport
import Testing

struct ProcessSpawnTests {
    /// Runs `arguments` with stdout on a pipe; its exit status (or signal) and everything it printed.
    private func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: ProcessSpawn.Stream = .null,
        closingOtherDescriptors: Bool = false
    ) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(fds[0]) }
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(
                arguments, environment: environment, stdin: stdin, stdout: .descriptor(fds[1]), stderr: .null,
                closingOtherDescriptors: closingOtherDescriptors)
        } catch {
            close(fds[1])
            throw error
        }
        close(fds[1])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += chunk[..<count]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status, String(decoding: output, as: UTF8.self))
    }

    @Test func argumentsAndExactlyTheGivenEnvironment() throws {
        let result = try run(
            ["sh", "-c", "printf '%s|%s|' \"$0\" \"$1\"; env | sort", "first", "second"],
            environment: ["WOOSH_A": "1", "WOOSH_B": "two words"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("first|second|"))
        #expect(result.output.contains("WOOSH_A=1\n"))
        #expect(result.output.contains("WOOSH_B=two words\n"))
        #expect(!result.output.contains("HOME="), "the parent's environment is not passed on")
    }

    /// Its own process group, every signal at its default and none blocked, even when this process ignores one.
    @Test func ownGroupAndDefaultSignals() throws {
        signal(SIGPIPE, SIG_IGN)
        let status = try run(["cat", "/proc/self/status"]).output
        func field(_ name: String) -> String? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map {
                String($0.dropFirst(name.count + 1).drop { $0 == " " || $0 == "\t" })
            }
        }
        #expect(field("NSpgid") != nil)
        #expect(field("NSpgid") == field("NSpid"))
        // Signals 1–31 (glibc keeps 32 and 33 for itself: sigfillset leaves them out).
        let ignored = field("SigIgn").flatMap { UInt64($0, radix: 16) }
        #expect(ignored.map { $0 & 0x7FFF_FFFF } == 0, "SIGPIPE is ignored here, not in the child")
        #expect(field("SigBlk").flatMap { UInt64($0, radix: 16) }.map { $0 & 0x7FFF_FFFF } == 0)
    }

    @Test func streams() throws {
        #expect(try run(["cat"], stdin: .null) == (0, ""))
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = "from the parent".withCString { write(fds[1], $0, 15) }
        close(fds[1])
        defer { close(fds[0]) }
        #expect(try run(["cat"], stdin: .descriptor(fds[0])) == (0, "from the parent"))
    }

    @Test func otherDescriptorsAreClosedOnlyWhenAsked() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0) // not close-on-exec
        defer { for fd in fds { close(fd) } }
        let probe = ["sh", "-c", "test -e /proc/$$/fd/\(fds[1]) && echo open || echo closed"]
        #expect(try run(probe, closingOtherDescriptors: false).output == "open\n")
        #expect(try run(probe, closingOtherDescriptors: true).output == "closed\n")
    }

    @Test func aMissingProgramIsAnError() {
        #expect(throws: SpawnError(code: ENOENT)) {
            try ProcessSpawn.spawn(
                ["/nonexistent/wooshhook-test"], environment: [:], stdin: .null, stdout: .null, stderr: .null)
        }
        #expect(throws: SpawnError(code: EINVAL)) {
            try ProcessSpawn.spawn([], environment: [:], stdin: .null, stdout: .null, stderr: .null)
        }
        #expect(SpawnError(code: ENOENT).description == "No such file or directory")
    }
}
