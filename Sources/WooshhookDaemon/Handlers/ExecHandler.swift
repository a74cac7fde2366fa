import Foundation
import Journal
import Logging

/// `kind: exec`: runs `command` (argv, no shell, looked up in PATH) with the body on stdin and `WOOSHHOOK_EVENT_ID`
/// / `WOOSHHOOK_EVENT_TYPE` in the environment; success is exit 0 within `timeout_seconds`, after which the command
/// and its process group are killed. Output is drained, so neither a chatty nor a silent command blocks.
struct ExecHandler: EventHandler {
    let name: String
    let command: [String]
    let timeoutSeconds: Double
    let logger: Logger

    func handle(_ record: JournalRecord) throws(HandlerFailure) {
        var environment = ProcessInfo.processInfo.environment
        environment["WOOSHHOOK_EVENT_ID"] = record.eventID
        environment["WOOSHHOOK_EVENT_TYPE"] = record.type
        environment["WOOSHHOOK_EVENT_SEQ"] = String(record.seq)
        let (ending, stderrTail) = try ChildProcess.run(
            command, environment: environment, stdin: record.body, timeoutSeconds: timeoutSeconds)
        let detail = stderrTail.isEmpty ? "" : ": \(stderrTail)"
        switch ending {
        case .exited(0): return
        case .exited(let code): throw HandlerFailure("\(command[0]) exited with \(code)\(detail)")
        case .signalled(let signal): throw HandlerFailure("\(command[0]) was killed by signal \(signal)\(detail)")
        case .timedOut:
            throw HandlerFailure("\(command[0]) did not finish within \(timeoutSeconds) s and was killed\(detail)")
        }
    }
}

/// Drains a pipe on a thread of its own and keeps its last bytes, so a command writing megabytes never blocks.
final class OutputTail: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let limit = 512
    private let ended = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while let chunk = try? handle.read(upToCount: 65_536), !chunk.isEmpty {
                lock.withLock {
                    bytes.append(contentsOf: chunk)
                    if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
                }
            }
            try? handle.close()
            ended.signal()
        }
    }

    /// What was kept, as one line; waits briefly for the end of the output (a grandchild may hold it open).
    var text: String {
        _ = ended.wait(timeout: .now() + 0.2)
        let kept = lock.withLock { bytes }
        return String(decoding: kept, as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " | ")
    }
}
