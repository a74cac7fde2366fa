import Glibc
import Synchronization

/// The exclusive right to write one journal directory (its segments, `quarantine/` and `cursors/`), held by `serve`
/// from before recovery until it exits, or by `replay --quarantine --handlers` when no daemon runs. Two writers on
/// one directory would hand out the same seqs and lose acknowledged events, so the second one must refuse.
///
/// It is an `flock(LOCK_EX | LOCK_NB)` on `<directory>/wooshhook.lock`, as LevelDB's `LOCK` or etcd's WAL lock:
/// - the kernel drops it when the holder dies, even by SIGKILL, so a crash never leaves a stale lock to clean up;
/// - it belongs to the open file description, not to the process's record locks (`fcntl` locks vanish as soon as
///   any descriptor of the file is closed anywhere in the process);
/// - the file is opened `O_CLOEXEC`, so an exec handler's command that outlives the daemon does not keep it.
/// The file is never deleted: unlinking a lock file lets two processes hold locks on two different files of the same
/// name. The holder writes its PID into it only so that the refusal can name it; the lock, not the PID, decides. A
/// daemon also records the address it really listens on in `wooshhook.address`, so that a command that must go
/// through it (`replay --quarantine` while it runs) reaches it under `port: 0`, socket activation, or a
/// configuration edited since it started.
/// The name does not end in `.jsonl`, so readers, retention and `journal verify` never take it for a segment.
public final class JournalLock: Sendable {
    /// The lock file's name inside the journal directory.
    public static let fileName = "wooshhook.lock"
    /// Where a daemon holding the lock records the address it listens on.
    public static let addressFileName = "wooshhook.address"

    /// The journal directory this lock guards.
    public let directory: String
    /// `<directory>/wooshhook.lock`.
    public let path: String
    private let descriptor: Atomic<Int32>

    private init(directory: String, path: String, descriptor: Int32) {
        self.directory = directory
        self.path = path
        self.descriptor = Atomic(descriptor)
    }

    /// Takes the lock without waiting, writing this process's PID into the file. The directory must exist.
    /// Throws `.held` with the holder's PID when another process has it, `.unavailable` when the file cannot be
    /// created or locked (read-only file system, wrong owner): never runs on without it.
    public static func acquire(directory: String) throws(JournalLockError) -> JournalLock {
        let path = "\(directory)/\(fileName)"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw .unavailable(path: path, operation: "create", code: errno) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { throw .held(directory: directory, path: path, pid: holderPID(path)) }
            throw .unavailable(path: path, operation: "lock", code: code)
        }
        let text = Array("\(getpid())\n".utf8)
        let truncated = ftruncate(fd, 0) == 0
        let written = truncated ? text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } : -1
        guard written == text.count else {
            let code = written < 0 ? errno : EIO
            close(fd)
            throw .unavailable(path: path, operation: "write", code: code)
        }
        return JournalLock(directory: directory, path: path, descriptor: fd)
    }

    /// Records the address the holder listens on in `wooshhook.address` beside the lock (see the type's comment):
    /// `PID HOST PORT`, written to a temporary file and renamed, so a reader sees the old text or the new, never
    /// half. No fsync: only a live holder's record is believed, and a crash ends the holder. False when it could
    /// not be written (a command then uses the configuration's address, as before).
    @discardableResult
    public func recordListener(host: String, port: Int) -> Bool {
        let path = "\(directory)/\(Self.addressFileName)"
        let temporary = path + ".tmp"
        let text = Array("\(getpid()) \(host) \(port)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { return false }
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == text.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// The address the live holder of the lock on `directory` listens on, when it recorded one: a record whose PID
    /// is not the lock holder's (left by a daemon that has since died) is not believed.
    public static func holderListener(directory: String) -> (host: String, port: Int)? {
        guard let text = contents(of: "\(directory)/\(addressFileName)"),
            let holder = holderPID("\(directory)/\(fileName)")
        else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 3, Int32(parts[0]) == holder, let port = Int(parts[2]), (1...65535).contains(port) else {
            return nil
        }
        return (String(parts[1]), port)
    }

    /// Gives the lock back (closing the file drops it; the file stays), when the writing is done. Idempotent.
    public func release() {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { close(fd) }
    }

    deinit { release() }

    /// The lock file's text (it is a few dozen bytes); nil when it cannot be opened.
    private static func contents(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// The PID written by the process that holds the lock; nil when it cannot be read. The holder writes it just
    /// after locking, so an empty file is read again for a moment before giving up.
    static func holderPID(_ path: String) -> Int32? {
        for _ in 0..<20 {
            guard let text = contents(of: path) else { return nil }
            if let pid = Int32(text.filter { !$0.isWhitespace }), pid > 0 { return pid }
            usleep(10_000)
        }
        return nil
    }
}

/// Why the journal lock was not taken.
public enum JournalLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another live process holds it: its PID (nil when it could not be read). Never broken or stolen.
    case held(directory: String, path: String, pid: Int32?)
    /// The lock file could not be created, locked or written: `operation` failed with `errno` `code`.
    case unavailable(path: String, operation: String, code: Int32)

    public var description: String {
        switch self {
        case .held(let directory, let path, let pid):
            let holder = pid.map { "PID \($0)" } ?? "another process (its PID is not in \(path))"
            return "journal \(directory) is locked by \(holder): another wooshhook writes it; stop that one first, "
                + "or give this one its own journal.directory"
        case .unavailable(let path, let operation, let code):
            return "cannot \(operation) the journal lock file \(path): \(String(cString: strerror(code))); "
                + "check the owner and mode of its directory (the daemon never writes the journal without this lock)"
        }
    }
}
