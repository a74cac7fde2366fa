import Foundation
import Testing
import WooshhookTesting

/// The power-cut file system itself (`Support/powercutfs.py`): what a cut keeps and what it drops, with plain
/// system calls on the mounted file system.
@Suite struct PowerCutFileSystemTests {
    /// A mounted file system in a folder of its own, removed afterwards.
    final class Disk {
        let folder: URL
        let fs: PowerCutFileSystem
        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("powercutfs-\(UUID().uuidString)")
            fs = try PowerCutFileSystem(in: folder)
        }
        func path(_ name: String) -> String { "\(fs.mountPoint)/\(name)" }
        func contents(_ name: String) -> String? {
            FileManager.default.contents(atPath: path(name)).map { String(decoding: $0, as: UTF8.self) }
        }
        deinit {
            fs.unmount()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// Opens, writes `text` (at the end with `append`), optionally syncs, closes.
    static func write(
        _ path: String, _ text: String, flags: Int32 = O_CREAT | O_WRONLY, sync: ((Int32) -> Int32)? = nil
    ) throws {
        let fd = open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TestFailure("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw TestFailure("write \(path): \(String(cString: strerror(errno)))")
        }
        if let sync, sync(fd) != 0 { throw TestFailure("sync \(path): \(String(cString: strerror(errno)))") }
    }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else { throw TestFailure("fsync \(path): \(String(cString: strerror(errno)))") }
        close(fd)
    }

    @Test func writtenThenSyncedSurvives() throws {
        let disk = try Disk()
        try Self.write(disk.path("a"), "synced", sync: fsync)
        try Self.write(disk.path("b"), "datasynced", sync: fdatasync)
        try Self.syncDirectory(disk.fs.mountPoint)
        try disk.fs.cut()
        #expect(disk.contents("a") == "synced")
        #expect(disk.contents("b") == "datasynced", "fdatasync counts as well as fsync")
    }

    @Test func writtenNotSyncedIsGoneAfterACut() throws {
        let disk = try Disk()
        try Self.write(disk.path("a"), "first ", sync: fsync)
        try Self.syncDirectory(disk.fs.mountPoint)
        try Self.write(disk.path("a"), "second", flags: O_WRONLY | O_APPEND)
        #expect(disk.contents("a") == "first second", "the live view has it until the cut")
        try disk.fs.cut()
        #expect(disk.contents("a") == "first ")
    }

    @Test func truncationNotSyncedIsGoneAfterACut() throws {
        let disk = try Disk()
        try Self.write(disk.path("o_trunc"), "old", sync: fsync)
        try Self.write(disk.path("ftruncate"), "old", sync: fsync)
        try Self.syncDirectory(disk.fs.mountPoint)
        try Self.write(disk.path("o_trunc"), "n", flags: O_WRONLY | O_TRUNC)
        #expect(truncate(disk.path("ftruncate"), 1) == 0)
        try disk.fs.cut()
        #expect(disk.contents("o_trunc") == "old")
        #expect(disk.contents("ftruncate") == "old")
    }

    @Test func createdWithoutSyncingItsDirectoryIsGone() throws {
        let disk = try Disk()
        try Self.write(disk.path("file"), "data synced, name not", sync: fsync)
        #expect(mkdir(disk.path("folder"), 0o755) == 0)
        try disk.fs.cut()
        #expect(!FileManager.default.fileExists(atPath: disk.path("file")))
        #expect(!FileManager.default.fileExists(atPath: disk.path("folder")))
    }

    @Test func renamedWithoutSyncingItsDirectoryKeepsTheOldName() throws {
        let disk = try Disk()
        try Self.write(disk.path("old"), "payload", sync: fsync)
        try Self.syncDirectory(disk.fs.mountPoint)
        #expect(rename(disk.path("old"), disk.path("new")) == 0)
        try disk.fs.cut()
        #expect(disk.contents("old") == "payload")
        #expect(!FileManager.default.fileExists(atPath: disk.path("new")))
        // Renamed and the directory synced: only the new name, with the synced data.
        #expect(rename(disk.path("old"), disk.path("new")) == 0)
        try Self.syncDirectory(disk.fs.mountPoint)
        try disk.fs.cut()
        #expect(disk.contents("new") == "payload")
        #expect(!FileManager.default.fileExists(atPath: disk.path("old")))
    }

    /// The write-fsync-rename of a file replacing another: without the directory's fsync the old value stays.
    @Test func replacingRenameWithoutDirectorySyncKeepsTheOldValue() throws {
        let disk = try Disk()
        try Self.write(disk.path("cursor"), "1\n", sync: fsync)
        try Self.syncDirectory(disk.fs.mountPoint)
        try Self.write(disk.path("cursor.tmp"), "2\n", sync: fsync)
        #expect(rename(disk.path("cursor.tmp"), disk.path("cursor")) == 0)
        #expect(disk.contents("cursor") == "2\n")
        try disk.fs.cut()
        #expect(disk.contents("cursor") == "1\n")
        #expect(!FileManager.default.fileExists(atPath: disk.path("cursor.tmp")))
    }

    @Test func unlinkedWithoutSyncingItsDirectoryComesBack() throws {
        let disk = try Disk()
        #expect(mkdir(disk.path("d"), 0o755) == 0)
        try Self.write(disk.path("d/f"), "kept", sync: fsync)
        try Self.syncDirectory(disk.path("d"))
        try Self.syncDirectory(disk.fs.mountPoint)
        #expect(unlink(disk.path("d/f")) == 0)
        try disk.fs.cut()
        #expect(disk.contents("d/f") == "kept")
    }

    /// Nothing is written outside the two folders it was given.
    @Test func staysInsideItsFolders() throws {
        let disk = try Disk()
        try Self.write(disk.path("a"), "x", sync: fsync)
        try Self.syncDirectory(disk.fs.mountPoint)
        try disk.fs.cut()
        disk.fs.unmount()
        let names = try FileManager.default.contentsOfDirectory(atPath: disk.folder.path).sorted()
        #expect(names == ["backing", "disk", "powercutfs.log"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.fs.backing) == ["a"])
    }
}
