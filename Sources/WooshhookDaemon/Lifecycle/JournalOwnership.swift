import Journal

/// `serve`'s claim on its journal directory: taken after the directories exist and before recovery touches a byte,
/// held until `serve` returns (the kernel drops it if the process dies). See `JournalLock`.
enum JournalOwnership {
    static func take(_ directory: String) throws(DaemonError) -> JournalLock {
        do {
            return try JournalLock.acquire(directory: directory)
        } catch {
            throw DaemonError("\(error)")
        }
    }
}
