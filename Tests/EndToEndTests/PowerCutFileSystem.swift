import Foundation
import WooshhookTesting

/// `Support/powercutfs.py` mounted for one test: a FUSE file system over `backing` that keeps every write and every
/// directory change pending until an fsync of the file (or of its directory) makes it durable. `cut()` is the power
/// cut: it unmounts, has `backing` reset to what was durable, and mounts it again. Unmounted by PID, always: call
/// `unmount()` in a `defer` (deinit does it too).
///
/// A machine without `/dev/fuse`, Debian's `python3-fusepy` or the right to mount fails the test with the file
/// system's own error: a power-cut test never skips.
final class PowerCutFileSystem {
    let backing: String
    private(set) var mountPoint: String
    private let logPath: String
    private let hold: String?
    private var process: SpawnedProcess?

    /// Debian's Python, the one `python3-fusepy` is installed for (`python3` on PATH may be another).
    static let python = "/usr/bin/python3"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Support/powercutfs.py").path

    /// Creates `<folder>/backing` and `<folder>/<name>` and mounts the one on the other. With `hold` (a path outside
    /// the mount), an fsync of a file at the top of the mount waits while `hold` exists and creates `<hold>.held`
    /// while it waits (see `Support/powercutfs.py`): for shutdown tests, not power cuts.
    init(in folder: URL, name: String = "disk", hold: String? = nil) throws {
        self.hold = hold
        backing = folder.appendingPathComponent("backing").path
        mountPoint = folder.appendingPathComponent(name).path
        logPath = folder.appendingPathComponent("powercutfs.log").path
        try FileManager.default.createDirectory(atPath: backing, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        // As /proc/self/mounts names it.
        mountPoint = URL(fileURLWithPath: mountPoint).resolvingSymlinksInPath().path
        try mount()
    }

    /// The power cut. The daemon must be dead (SIGKILL) first: what it wrote and did not sync is lost here.
    func cut() throws {
        try stop()
        try mount()
    }

    /// Unmounts (the state left in `backing` is what was durable). Never throws: it is for `defer`.
    func unmount() {
        do {
            try stop()
        } catch {
            FileHandle.standardError.write(Data("powercutfs: \(error)\n".utf8))
        }
        // Only if the process could not do it itself (killed): a lazy unmount of our own mount point, by its path.
        if isMounted { _ = try? WooshhookTestShell.run("umount", ["-l", mountPoint]) }
    }

    deinit { unmount() }

    private func mount() throws {
        let output = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw TestFailure("cannot open \(logPath): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var info = stat()
        let logged = stat(logPath, &info) == 0 ? Int(info.st_size) : 0
        let started = try SpawnedProcess(
            Self.python, [Self.script, backing, mountPoint] + (hold.map { [$0] } ?? []), stdout: output, stderr: output)
        process = started
        let deadline = Date().addingTimeInterval(15)
        // Its "serving" line: mounted, and a SIGTERM from now on is a cut (libfuse's handler is in place).
        while !(isMounted && log(after: logged).contains("powercutfs: serving")) {
            if !started.isRunning || Date() >= deadline {
                started.kill()
                process = nil
                throw TestFailure(
                    """
                    powercutfs did not mount \(mountPoint) (it needs /dev/fuse, root, fuse3 and Debian's \
                    python3-fusepy; see scripts/install-deps): \(self.log())
                    """)
            }
            usleep(10_000)
        }
    }

    /// SIGTERM to our file system's PID: it unmounts, resets `backing` to the durable state and exits 0.
    private func stop() throws {
        guard let running = process else { return }
        process = nil
        running.send(SIGTERM)
        guard let status = running.wait(timeout: 30) else {
            running.kill()
            throw TestFailure("powercutfs (pid \(running.pid)) did not stop within 30 s: \(log())")
        }
        guard status == 0 else { throw TestFailure("powercutfs (pid \(running.pid)) exited \(status): \(log())") }
    }

    private var isMounted: Bool {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        return mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == mountPoint && fields[2].hasPrefix("fuse")
        }
    }

    private func log(after offset: Int = 0) -> String {
        let data = FileManager.default.contents(atPath: logPath) ?? Data()
        return String(String(decoding: data.dropFirst(offset), as: UTF8.self).suffix(2_000))
    }
}
