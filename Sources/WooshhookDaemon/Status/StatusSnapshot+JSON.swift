import Foundation

extension StatusSnapshot {
    /// `/status.json`: the page's data for scripts. Lists are newest first; `rejections.recent` holds the log's
    /// records as they are on disk.
    func json() -> [UInt8] {
        func value<T>(_ optional: T?) -> Any { optional.map { $0 as Any } ?? NSNull() }
        let object: [String: Any] = [
            "generated_at": generatedAt,
            "health": health,
            "events": events.map { event -> [String: Any] in
                [
                    "seq": event.seq, "received_at": event.receivedAt, "type": event.type, "event_id": event.eventID,
                    "object_id": value(event.objectID), "amount": value(event.amount),
                    "currency": value(event.currency), "amount_display": value(event.amountText),
                    "status": value(event.status),
                ]
            },
            "rejections": [
                "window_seconds": 3600,
                "by_code": Dictionary(uniqueKeysWithValues: rejectionsByCode.map { ($0.code.rawValue, $0.count) }),
                "per_minute": rejectionsPerMinute,
                "recent": recentRejections.compactMap(\.jsonObject),
            ] as [String: Any],
            "handlers": handlers.map { handler -> [String: Any] in
                [
                    "name": handler.name, "kind": handler.kind, "cursor": value(handler.cursor),
                    "lag": value(handler.lag), "last_error": value(handler.lastError),
                    "last_error_at": value(handler.lastErrorAt), "failing_attempts": handler.failingAttempts,
                    "dead_letters": handler.deadLetters,
                ]
            },
            "journal": [
                "directory": journal.directory, "segments": journal.segments, "bytes": journal.bytes,
                "last_seq": journal.lastSeq, "fsync": journal.fsync, "writable": journal.writable,
                "fsync_count": journal.fsyncCount, "fsync_mean_seconds": value(journal.fsyncMeanSeconds),
            ] as [String: Any],
        ]
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{\"health\":\"status not serialisable\"}".utf8)
        return [UInt8](data) + [0x0A]
    }
}
