import CFileSystem
import Glibc

/// Disk blocks reserved for a file ahead of its writes, without changing its size (`fallocate` with
/// `FALLOC_FL_KEEP_SIZE`). Readers see nothing of it; the file system has the blocks ready, so later writes into the
/// range neither allocate (an `fdatasync` then commits less) nor fail for want of room on a disk that has filled up
/// since. Used by the journal writer (ahead of its records) and the rejection log (its whole bound).
public enum DiskSpace {
    /// Reserves `length` bytes from `offset` of the open file `fd`: 0, or the error number (`EOPNOTSUPP` where the
    /// file system has no such call, `ENOSPC` when the disk has not that much room).
    public static func reserve(_ fd: Int32, offset: Int, length: Int) -> Int32 {
        wooshhook_preallocate_keeping_size(fd, off_t(offset), off_t(length))
    }

    /// Gives back the blocks reserved past the file's end (a truncate to the size it already has).
    public static func releaseReserve(_ fd: Int32, size: Int) {
        _ = ftruncate(fd, off_t(size))
    }
}
