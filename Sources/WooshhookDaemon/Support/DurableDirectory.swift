import Foundation

/// A new directory, or a new name in one, is a change to its parent: until the parent is fsynced, a power loss
/// may take it away with everything later written under it. ext4 usually commits a `mkdir` along with a later
/// fsync of something else; POSIX promises nothing of the kind, so what `serve` creates it makes durable itself.
enum DurableDirectory {
    /// Why a directory could not be created or synced: the path, the system's reason and what to check.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates `path` and its missing parents (mode 0755 before the umask), fsyncing the parent of each directory
    /// it creates before going on. Directories already there are left as they are.
    static func create(_ path: String) throws(Failure) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/\(component)"
            if mkdir(current, 0o755) == 0 {
                try sync(parent)
                continue
            }
            let code = errno
            var info = stat()
            guard code == EEXIST, stat(current, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                let reason = code == EEXIST ? "it exists and is not a directory" : String(cString: strerror(code))
                throw Failure(
                    description: "cannot create \(current): \(reason); check its owner and mode, and its parent's")
            }
        }
    }

    /// fsync of the directory at `path`: the names created, renamed or removed in it so far survive a power loss.
    static func sync(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Failure(
                description: "cannot open the directory \(path) to sync it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            throw Failure(description: "cannot fsync the directory \(path): \(reason); check the disk (dmesg)")
        }
    }
}
