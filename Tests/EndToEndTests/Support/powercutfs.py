#!/usr/bin/python3
"""powercutfs: a FUSE file system for power-cut tests. It forgets whatever was never synced.

Usage: powercutfs.py BACKING MOUNTPOINT [HOLD]

Serves the directory BACKING at MOUNTPOINT, in the foreground, until SIGTERM or SIGINT. Reads and writes pass
through to BACKING (the "live view", what a running program sees, like a page cache), but this process also keeps,
in memory, the "durable state": what a disk would still hold after losing power.

- The durable contents of a file (by inode number of our own) are updated only by fsync or fdatasync of that file:
  writes and truncations (ftruncate, O_TRUNC) stay pending until then.
- The durable entries of a directory (name -> inode) are updated only by fsync of that directory: creating,
  renaming and unlinking stay pending until then. A file whose data was synced but whose directory was not keeps
  its old name (or none) after a cut. A rename across directories is durable in each directory once that directory
  is synced (syncing only the target leaves the file under both names: allowed, since POSIX promises nothing).
- Everything in BACKING when it is mounted counts as durable.

SIGTERM or SIGINT is the power cut: the file system is unmounted, then BACKING is reset to exactly the durable
state (a file never synced is empty, a directory never synced is empty, an entry never synced is not there), and the
process exits 0. Mount it again to go on from what survived. Metadata (mode, owner, times) is not modelled: it is
passed through and kept as it was when the entry became durable.

With HOLD (a path outside the mount), an fsync of a file at the top of the mount (a journal segment, when the
journal is the mount) waits while HOLD exists, and creates HOLD.held while it waits: a test holds a journal append
in flight for as long as it needs. Then requests are served on threads, so the rest of the file system (the
rejection log, the other folders) goes on; such a mount is for shutdown tests, never for a power cut.

It never follows a symbolic link and never touches anything outside BACKING (nor MOUNTPOINT, which it mounts).
"""
import errno
import os
import shutil
import stat
import sys
import time

from fusepy import FUSE, FuseOSError, Operations


class PowerCutFS(Operations):
    use_ns = True
    ROOT = 1  # the inode of "/", adopted first

    def __init__(self, backing, hold=None):
        self.backing = backing
        self.hold = hold
        self.ids = {}  # live path ("/", "/a/b") -> our inode number
        self.is_dir = {}  # inode -> directory or not
        self.modes = {}  # inode -> permission bits, for the rebuild
        self.handles = {}  # open file handle (a descriptor on BACKING) -> inode
        self.durable_data = {}  # file inode -> bytes made durable by its last fsync
        self.durable_entries = {}  # directory inode -> {name: inode} made durable by its last fsync
        self.next_id = 1
        self._adopt("/")

    # -- bookkeeping ---------------------------------------------------------------------------------------------

    def _real(self, path):
        # FUSE hands over absolute, normalised paths ("/a/b"), never ".." nor "//": joined, they stay in BACKING.
        return os.path.join(self.backing, path.lstrip("/"))

    @staticmethod
    def _child(path, name):
        return "/" + name if path == "/" else path + "/" + name

    def _new_inode(self, path, is_dir, mode):
        inode = self.next_id
        self.next_id += 1
        self.ids[path] = inode
        self.is_dir[inode] = is_dir
        self.modes[inode] = stat.S_IMODE(mode)
        return inode

    def _adopt(self, path):
        """At mount: what is already in BACKING is durable."""
        info = os.lstat(self._real(path))
        if stat.S_ISDIR(info.st_mode):
            inode = self._new_inode(path, True, info.st_mode)
            for name in sorted(os.listdir(self._real(path))):
                self._adopt(self._child(path, name))
            self._snapshot_directory(path, inode)
        elif stat.S_ISREG(info.st_mode):
            inode = self._new_inode(path, False, info.st_mode)
            with open(self._real(path), "rb") as file:
                self.durable_data[inode] = file.read()
        # Anything else (a link, a socket) is left out of the model: it does not survive a cut.

    def _snapshot_directory(self, path, inode):
        names = os.listdir(self._real(path))
        self.durable_entries[inode] = {name: self.ids[self._child(path, name)]
                                       for name in names if self._child(path, name) in self.ids}

    def _forget(self, path):
        """The live entry is gone (unlink, rmdir, renamed over); its durable state stays for the durable entries."""
        self.ids.pop(path, None)

    # -- the power cut -------------------------------------------------------------------------------------------

    def power_cut(self):
        """Resets BACKING to the durable state."""
        for name in os.listdir(self.backing):
            target = os.path.join(self.backing, name)
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            else:
                os.unlink(target)
        self._materialize(self.ROOT, self.backing, set())

    def _materialize(self, directory, real, seen):
        # A cross-directory rename synced on one side only can make a directory its own descendant: stop there.
        seen = seen | {directory}
        for name, inode in sorted(self.durable_entries.get(directory, {}).items()):
            target = os.path.join(real, name)
            if self.is_dir[inode]:
                if inode in seen:
                    continue
                os.mkdir(target, self.modes[inode])
                self._materialize(inode, target, seen)
            else:
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, self.modes[inode])
                with os.fdopen(descriptor, "wb") as file:
                    file.write(self.durable_data.get(inode, b""))

    def init(self, path):
        # Called once the kernel talks to us, after libfuse has installed its SIGTERM handler: from here on a
        # SIGTERM is a power cut, not the end of the process.
        print(f"powercutfs: serving {self.backing}", flush=True)

    # -- durability ----------------------------------------------------------------------------------------------

    def fsync(self, path, datasync, fh):
        # fsync and fdatasync alike: the file's whole contents, size included, become durable.
        if self.hold is not None and path.count("/") == 1:
            self._wait_while_held()
        size = os.fstat(fh).st_size
        chunks, offset = [], 0
        while offset < size:
            chunk = os.pread(fh, min(1 << 20, size - offset), offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        self.durable_data[self.handles[fh]] = b"".join(chunks)
        return 0

    def _wait_while_held(self):
        if not os.path.exists(self.hold):
            return
        with open(self.hold + ".held", "w"):
            pass
        while os.path.exists(self.hold):
            time.sleep(0.01)
        try:
            os.unlink(self.hold + ".held")
        except FileNotFoundError:
            pass  # another held fsync, released at the same moment, removed it

    def fsyncdir(self, path, datasync, fh):
        self._snapshot_directory(path, self.ids[path])
        return 0

    # -- directory changes (pending until the directory is synced) -----------------------------------------------

    def mkdir(self, path, mode):
        os.mkdir(self._real(path), mode)
        self._new_inode(path, True, mode)

    def rmdir(self, path):
        os.rmdir(self._real(path))
        self._forget(path)

    def create(self, path, mode, fi=None):
        fh = os.open(self._real(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, mode)
        inode = self.ids.get(path) or self._new_inode(path, False, mode)
        self.handles[fh] = inode
        return fh

    def unlink(self, path):
        os.unlink(self._real(path))
        self._forget(path)

    def rename(self, old, new):
        os.rename(self._real(old), self._real(new))
        self._forget(new)
        prefix = old + "/"
        for path in [p for p in self.ids if p == old or p.startswith(prefix)]:
            self.ids[new + path[len(old):]] = self.ids.pop(path)

    def link(self, target, source):
        raise FuseOSError(errno.EPERM)  # hard links are not modelled

    def symlink(self, target, source):
        raise FuseOSError(errno.EPERM)  # nor symbolic links

    # -- files (data pending until the file is synced) -----------------------------------------------------------

    def open(self, path, flags):
        # Always read-write on BACKING, so that fsync can read back what a write-only descriptor wrote.
        keep = flags & ~(os.O_ACCMODE | os.O_CREAT | os.O_EXCL)
        fh = os.open(self._real(path), keep | os.O_RDWR | os.O_NOFOLLOW)
        self.handles[fh] = self.ids[path]
        return fh

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        if fh is not None:
            os.ftruncate(fh, length)
        else:
            descriptor = os.open(self._real(path), os.O_WRONLY | os.O_NOFOLLOW)
            try:
                os.ftruncate(descriptor, length)
            finally:
                os.close(descriptor)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        os.close(fh)
        self.handles.pop(fh, None)
        return 0

    # -- plain pass-through --------------------------------------------------------------------------------------

    def getattr(self, path, fh=None):
        info = os.fstat(fh) if fh is not None else os.lstat(self._real(path))
        attributes = {key: getattr(info, key) for key in ("st_mode", "st_nlink", "st_size", "st_uid", "st_gid")}
        # With use_ns, fusepy takes the times in nanoseconds under their plain names.
        return attributes | {"st_atime": info.st_atime_ns, "st_mtime": info.st_mtime_ns, "st_ctime": info.st_ctime_ns}

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._real(path))

    def chmod(self, path, mode):
        os.chmod(self._real(path), mode, follow_symlinks=False)
        if path in self.ids:
            self.modes[self.ids[path]] = stat.S_IMODE(mode)

    def chown(self, path, uid, gid):
        os.chown(self._real(path), uid, gid, follow_symlinks=False)

    def utimens(self, path, times=None):
        os.utime(self._real(path), ns=times, follow_symlinks=False)

    def statfs(self, path):
        info = os.statvfs(self._real(path))
        return {key: getattr(info, key) for key in (
            "f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_favail", "f_flag",
            "f_namemax")}


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: powercutfs.py BACKING MOUNTPOINT [HOLD]")
    hold = os.path.realpath(sys.argv[3]) if len(sys.argv) == 4 else None
    backing, mountpoint = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
    if not os.path.isdir(backing) or backing == "/" or backing == mountpoint:
        sys.exit(f"powercutfs: {backing} must be a directory of its own, not / nor the mount point")
    filesystem = PowerCutFS(backing, hold)
    # Single-threaded: one request at a time keeps the model simple (a held fsync needs threads; see HOLD). No kernel attribute or entry caching beyond
    # the defaults matters, since every change goes through here and a cut unmounts (dropping the kernel's caches).
    FUSE(filesystem, mountpoint, foreground=True, nothreads=hold is None, fsname="powercutfs", default_permissions=True)
    filesystem.power_cut()


if __name__ == "__main__":
    main()
