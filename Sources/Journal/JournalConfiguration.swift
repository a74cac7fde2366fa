/// Where and how one journal (the main one or the quarantine) is written.
public struct JournalConfiguration: Sendable {
    /// Absolute path of the directory holding the segments; created with its parents when missing.
    public var directory: String
    /// Durability of each append.
    public var fsync: FsyncPolicy
    /// A segment is rolled once it has reached this size.
    public var segmentBytes: Int
    /// Segments whose newest record is older than this are deleted; 0 keeps everything.
    public var retentionDays: Int
    /// Event ids journaled within this many hours are duplicates; 0 turns de-duplication off.
    public var dedupeWindowHours: Int

    /// A configuration with the README's defaults ("Configuration") for everything but the directory.
    public init(
        directory: String, fsync: FsyncPolicy = .always, segmentBytes: Int = 67_108_864, retentionDays: Int = 0,
        dedupeWindowHours: Int = 96
    ) {
        self.directory = directory
        self.fsync = fsync
        self.segmentBytes = segmentBytes
        self.retentionDays = retentionDays
        self.dedupeWindowHours = dedupeWindowHours
    }
}
