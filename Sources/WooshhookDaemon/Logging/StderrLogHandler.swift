import Foundation
import Journal
public import Logging
import SystemSupport

/// The daemon's log backend: one line per message on standard error, as `text` (for people and journald) or `json`
/// (for log shippers), per `log_format`. One `write(2)` per line, so lines from several threads never interleave.
public struct StderrLogHandler: LogHandler {
    /// The level every handler of the process reads, so SIGHUP can change `log_level` without a restart.
    public static let sharedLevel = SharedLogLevel(.info)

    public var logLevel: Logger.Level {
        get { Self.sharedLevel.level }
        set { Self.sharedLevel.level = newValue }
    }
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: Format

    /// Output formats of `log_format`.
    public enum Format: String, Sendable, CaseIterable { case text, json }

    /// Reads the level from `sharedLevel` and never writes it: swift-log makes a handler for every `Logger` made at
    /// any time, and one made after a SIGHUP must not put the start-up level back. Set `sharedLevel` once, where
    /// the backend is bootstrapped.
    public init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line: String
        switch format {
        case .text:
            var text = "\(Self.timestamp()) \(event.level) \(event.message)"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                text += " \(key)=\(Self.textValue("\(value)"))"
            }
            line = text + "\n"
        case .json:
            var text =
                "{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(event.level)\",\"msg\":"
                + JSONEscaping.quoted(event.message.description)
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                text += ",\(JSONEscaping.quoted(key)):\(JSONEscaping.quoted("\(value)"))"
            }
            line = text + "}\n"
        }
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Quotes a value that holds spaces or quotes, so `key=value` pairs stay splittable.
    private static func textValue(_ value: String) -> String {
        if value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) {
            return JSONEscaping.quoted(value)
        }
        return value
    }

    static func timestamp() -> String {
        RecordTime.text(SystemClock.nowMilliseconds())
    }
}
