public import Journal

/// Which records `tail`, `show` and `replay` pick: by type, by event id, by receive time. Empty sets match all.
public struct RecordFilter: Sendable {
    public var types: Set<String> = []
    public var ids: Set<String> = []
    public var sinceMilliseconds: Int64?
    public var untilMilliseconds: Int64?

    public init() {}

    public var isEmpty: Bool { types.isEmpty && ids.isEmpty && sinceMilliseconds == nil && untilMilliseconds == nil }

    public func matches(_ record: JournalRecord) -> Bool {
        if !types.isEmpty && !types.contains(record.type) { return false }
        if !ids.isEmpty && !ids.contains(record.eventID) { return false }
        if sinceMilliseconds != nil || untilMilliseconds != nil {
            guard let received = RecordTime.milliseconds(record.receivedAt) else { return false }
            if let since = sinceMilliseconds, received < since { return false }
            if let until = untilMilliseconds, received > until { return false }
        }
        return true
    }
}
