public import Journal
public import Logging

/// The configured handlers, built for `replay --handlers`: each matching record goes to each handler that takes
/// its type, once, in the calling thread (no cursors: a replay is an operator's explicit request).
public struct ReplayHandlers: Sendable {
    private let handlers: [(configuration: HandlerConfiguration, handler: any EventHandler)]

    public init(_ configurations: [HandlerConfiguration], logger: Logger) throws {
        handlers = try configurations.map { ($0, try HandlerRegistry.make($0, logger: logger)) }
    }

    public var isEmpty: Bool { handlers.isEmpty }

    /// Runs every handler that takes `record`'s type; per handler, nil on success or the failure.
    public func handle(_ record: JournalRecord) -> [(name: String, failure: HandlerFailure?)] {
        handlers.filter { $0.configuration.accepts(type: record.type) }.map { entry in
            do throws(HandlerFailure) {
                try entry.handler.handle(record)
                return (entry.configuration.name, nil)
            } catch {
                return (entry.configuration.name, error)
            }
        }
    }
}
