public import Foundation
import Synchronization
import SystemSupport

/// A child process of the test harness, on `posix_spawn` (`ProcessSpawn`, as the exec handler starts commands) and
/// `waitpid` directly, so every wait has a deadline and
/// no child's state depends on another's. (Foundation's `Process` learns of every exit on one shared thread that
/// blocks in `waitpid` as soon as a child closes the socket it inherits; with tests running in parallel, one
/// such child can hold up every other test's wait, and a wait there has no deadline.)
///
/// The child gets fds 0–2 as given and nothing else the test process has open (other tests' pipes and sockets
/// must not stay open in it), default signal dispositions and its own process group.
public final class SpawnedProcess: Sendable {
    public let pid: pid_t
    public let command: String
    private let waitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` (searched in PATH when it has no slash). `stdin`, `stdout` and `stderr` are fds of
    /// this process to hand over; nil is /dev/null for stdin and this process's own for the other two.
    public init(
        _ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
        stdin: Int32? = nil, stdout: Int32? = nil, stderr: Int32? = nil
    ) throws {
        command = ([executable] + arguments).joined(separator: " ")
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { _, new in new }
        do {
            pid = try ProcessSpawn.spawn(
                [executable] + arguments, environment: environment, stdin: stdin.map { .descriptor($0) } ?? .null,
                stdout: stdout.map { .descriptor($0) } ?? .inherited,
                stderr: stderr.map { .descriptor($0) } ?? .inherited, closingOtherDescriptors: true)
        } catch {
            throw TestFailure("cannot start \(command): \(error)")
        }
    }

    /// Whether it still runs (reaps it once it has ended).
    public var isRunning: Bool { status == nil }

    /// How it ended: the exit code, or the number of the signal that ended it; nil while it runs.
    public var terminationStatus: Int32? {
        status.map { raw in raw & 0x7F == 0 ? (raw >> 8) & 0xFF : raw & 0x7F }
    }

    /// Waits at most `timeout` seconds for the end; the termination status, or nil if it still runs.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { usleep(2_000) }
        return terminationStatus
    }

    /// Sends `signal` to it alone, unless it has ended.
    public func send(_ signal: Int32) {
        if isRunning { Glibc.kill(pid, signal) }
    }

    /// SIGKILLs it and its process group (whatever it started too) and reaps it.
    @discardableResult
    public func kill() -> Int32? {
        if isRunning { Glibc.kill(-pid, SIGKILL) }
        return wait(timeout: 10)
    }

    private var status: Int32? {
        waitStatus.withLock { status in
            if status == nil {
                var raw: Int32 = 0
                let reaped = waitpid(pid, &raw, WNOHANG)
                if reaped == pid {
                    status = raw
                } else if reaped < 0 && errno == ECHILD {
                    status = 0x7F00 // someone else reaped it: report "exited 127" rather than wait forever
                }
            }
            return status
        }
    }

    deinit {
        if isRunning {
            Glibc.kill(-pid, SIGKILL)
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
        }
    }

    /// A close-on-exec pipe, [read end, write end]. (Close-on-exec is a courtesy to other code: children
    /// started here are closed off from every inherited fd anyway; pipe2 is not imported into Swift.)
    public static func makePipe() throws -> [Int32] {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TestFailure("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fds
    }
}

extension SpawnedProcess {
    /// Runs a command to its end and returns (exit status, stdout, stderr); with `mergingStderr`, stderr is in
    /// stdout. A command still running after `timeout` seconds is killed with its process group and reported.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil,
        mergingStderr: Bool = false, timeout: TimeInterval = 60
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let output = try ClosingPipe()
        let errors = mergingStderr ? nil : try ClosingPipe()
        let input = stdin == nil ? nil : try ClosingPipe()
        let process = try SpawnedProcess(
            executable, arguments, environment: environment, stdin: input?.readEnd, stdout: output.writeEnd,
            stderr: errors?.writeEnd ?? output.writeEnd)
        output.closeWriteEnd()
        errors?.closeWriteEnd()
        if let input, let stdin {
            signal(SIGPIPE, SIG_IGN) // a command that exits without reading gives the writer EPIPE instead
            input.closeReadEnd()
            // From a thread: a command that never reads its stdin must not block this one on a full pipe.
            let writer = FileHandle(fileDescriptor: input.takeWriteEnd(), closeOnDealloc: true)
            Thread.detachNewThread {
                try? writer.write(contentsOf: stdin)
                try? writer.close()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        var collected: [[UInt8]] = [[], []]
        var open = [output.readEnd] + (errors.map { [$0.readEnd] } ?? [])
        var endedAt: Date?
        while !open.isEmpty {
            let now = Date()
            if now >= deadline {
                process.kill()
                throw TestFailure(
                    """
                    `\(process.command)` did not finish within \(timeout) s; it printed:
                    \(String(decoding: collected[0] + collected[1], as: UTF8.self).suffix(2_000))
                    """)
            }
            // Something it started may keep the pipes open after it has ended: read on for a second, no longer.
            if endedAt == nil && !process.isRunning { endedAt = now }
            if let endedAt, now.timeIntervalSince(endedAt) > 1 { break }
            var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&descriptors, nfds_t(descriptors.count), 100) > 0 else { continue }
            for descriptor in descriptors where descriptor.revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let count = chunk.withUnsafeMutableBytes { read(descriptor.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[descriptor.fd == output.readEnd ? 0 : 1].append(contentsOf: chunk[..<count])
                } else if count == 0 || errno != EINTR {
                    open.removeAll { $0 == descriptor.fd }
                }
            }
        }
        guard let status = process.wait(timeout: max(deadline.timeIntervalSinceNow, 1)) else {
            process.kill()
            throw TestFailure("`\(process.command)` closed its output but did not exit within \(timeout) s")
        }
        return (status, String(decoding: collected[0], as: UTF8.self), String(decoding: collected[1], as: UTF8.self))
    }
}

/// A close-on-exec pipe whose ends are closed when it goes away.
private final class ClosingPipe {
    private(set) var readEnd: Int32
    private(set) var writeEnd: Int32

    init() throws {
        let fds = try SpawnedProcess.makePipe()
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    func closeReadEnd() {
        if readEnd >= 0 { close(readEnd) }
        readEnd = -1
    }

    /// The write end, now owned by the caller.
    func takeWriteEnd() -> Int32 {
        defer { writeEnd = -1 }
        return writeEnd
    }

    func closeWriteEnd() {
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
    }

    deinit {
        closeReadEnd()
        closeWriteEnd()
    }
}
