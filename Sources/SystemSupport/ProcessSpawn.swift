import Glibc

/// Starts a child process with `posix_spawnp`, set up the one way both the exec handler (`ChildProcess`) and the
/// test harness (`SpawnedProcess`) need: its own process group, so that killing `-pid` ends it and whatever it
/// started; every signal at its default disposition and none blocked, whatever this process ignores or blocks
/// (the daemon ignores SIGPIPE and takes SIGTERM and SIGHUP itself); fds 0–2 as asked. Who reaps it, and when, is
/// the caller's business.
public enum ProcessSpawn {
    /// What one of the child's fds 0–2 is.
    public enum Stream: Sendable {
        /// This process's own.
        case inherited
        /// `/dev/null`: read-only as stdin, write-only as stdout or stderr.
        case null
        /// A copy of this fd of this process.
        case descriptor(Int32)
    }

    /// Starts `arguments[0]` (searched in `PATH` when it has no slash) with `arguments` as its argv and exactly
    /// `environment` as its environment; returns its pid. With `closingOtherDescriptors`, the child keeps no fd
    /// above 2 even where it was not opened close-on-exec (other tests' pipes and sockets must not stay open in a
    /// test's child); without, it inherits every fd not marked close-on-exec.
    public static func spawn(
        _ arguments: [String], environment: [String: String], stdin: Stream, stdout: Stream, stderr: Stream,
        closingOtherDescriptors: Bool = false
    ) throws(SpawnError) -> Int32 {
        guard let program = arguments.first else { throw SpawnError(code: EINVAL) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .inherited: break
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let source): posix_spawn_file_actions_adddup2(&actions, source, fd)
            }
        }
        if closingOtherDescriptors { closeEverythingAbove2(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for argument in argv { free(argument) }
            for variable in envp { free(variable) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(code: result) }
        return pid
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34, not imported into Swift), else every fd open now.
    private static func closeEverythingAbove2(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd > 2, fd != own { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }
}

/// Why `posix_spawnp` could not start the program: its error number.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int32

    public init(code: Int32) {
        self.code = code
    }

    /// `strerror` of the code, e.g. "No such file or directory".
    public var description: String { String(cString: strerror(code)) }
}
