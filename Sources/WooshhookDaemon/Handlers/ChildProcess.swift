import Foundation
import Glibc
import Synchronization
import SystemSupport

/// A command run for the exec handler, on `posix_spawn` directly (`ProcessSpawn`): its own process group (so a
/// timeout kills the command and everything it started), default signal dispositions (the daemon ignores
/// SIGTERM/SIGHUP itself), stdin fed from a thread, stdout discarded, the tail of stderr kept. Reaped with `waitpid`,
/// never left behind.
struct ChildProcess {
    /// How the command ended.
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    static func run(
        _ command: [String], environment: [String: String], stdin: [UInt8], timeoutSeconds: Double
    ) throws(HandlerFailure) -> (ending: Ending, stderrTail: String) {
        // A command that exits without reading its stdin must give the writer EPIPE, not kill this process
        // (`replay --handlers` runs handlers outside the daemon, which ignores SIGPIPE already).
        signal(SIGPIPE, SIG_IGN)
        // Pipes are made close-on-exec under one lock shared by every spawn, so no other handler's child can
        // inherit this child's stdin and keep it open (pipe2 is not exported to Swift).
        spawnLock.lock()
        var input: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard pipe(&input) == 0 else {
            spawnLock.unlock()
            throw failure("pipe", command)
        }
        guard pipe(&errors) == 0 else {
            close(input[0])
            close(input[1])
            spawnLock.unlock()
            throw failure("pipe", command)
        }
        for fd in input + errors { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let spawned = Result { () throws(SpawnError) -> pid_t in
            try ProcessSpawn.spawn(
                command, environment: environment, stdin: .descriptor(input[0]), stdout: .null,
                stderr: .descriptor(errors[1]))
        }
        close(input[0])
        close(errors[1])
        spawnLock.unlock()
        let pid: pid_t
        switch spawned {
        case .success(let started): pid = started
        case .failure(let error):
            close(input[1])
            close(errors[0])
            throw HandlerFailure("cannot run \(command[0]): \(error)")
        }
        running.withLock { _ = $0.insert(pid) }
        defer { running.withLock { _ = $0.remove(pid) } }
        let stdinWriter = FileHandle(fileDescriptor: input[1], closeOnDealloc: true)
        Thread.detachNewThread {
            // A command that exits without reading its stdin gets EPIPE here (SIGPIPE is ignored above).
            try? stdinWriter.write(contentsOf: stdin)
            try? stdinWriter.close()
        }
        let tail = OutputTail(FileHandle(fileDescriptor: errors[0], closeOnDealloc: true))
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { return (.exited(-1), tail.text) }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return (.timedOut, tail.text)
            }
            usleep(1_000)
        }
        // Whatever the command started is not ours to keep once it has answered.
        kill(-pid, SIGKILL)
        let signal = status & 0x7F
        return (signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal), tail.text)
    }

    private static let spawnLock = NSLock()
    private static let running = Mutex<Set<pid_t>>([])

    /// Kills every command still running, with its process group: the daemon is stopping, and the interrupted
    /// events are handled again after the restart.
    static func killAll() {
        for pid in running.withLock({ $0 }) { kill(-pid, SIGKILL) }
    }

    private static func failure(_ call: String, _ command: [String]) -> HandlerFailure {
        HandlerFailure("cannot run \(command[0]): \(call): \(String(cString: strerror(errno)))")
    }
}
