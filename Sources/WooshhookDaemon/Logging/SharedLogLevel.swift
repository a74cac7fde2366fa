public import Logging
import Synchronization

/// A log level shared by every logger of the process and changeable at run time (SIGHUP reload).
public final class SharedLogLevel: Sendable {
    private let storage: Atomic<Int>

    public init(_ level: Logger.Level) {
        storage = Atomic(Self.index(of: level))
    }

    public var level: Logger.Level {
        get { Logger.Level.allCases[storage.load(ordering: .relaxed)] }
        set { storage.store(Self.index(of: newValue), ordering: .relaxed) }
    }

    private static func index(of level: Logger.Level) -> Int {
        Logger.Level.allCases.firstIndex(of: level) ?? 0
    }
}
