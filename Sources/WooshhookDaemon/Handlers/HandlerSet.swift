import Logging

/// Builds a whole handler set ready to launch, or nothing: a handler that cannot be built, a cursor that cannot be
/// read or saved, a journal that cannot be opened refuses the set, and what was prepared is undone.
enum HandlerSet {
    static func prepare(
        _ configurations: [HandlerConfiguration], journalDirectory: String,
        journalHead: @escaping @Sendable () -> UInt64, logger: Logger
    ) throws(HandlerSetupError) -> [HandlerRunner] {
        var prepared: [HandlerRunner] = []
        do throws(HandlerSetupError) {
            for configuration in configurations {
                let handler = try HandlerRegistry.make(configuration, logger: logger)
                let runner = HandlerRunner(
                    configuration, handler: handler, journalDirectory: journalDirectory, journalHead: journalHead,
                    logger: logger)
                prepared.append(runner)
                try runner.prepare()
            }
        } catch {
            for runner in prepared { runner.discard() }
            throw error
        }
        return prepared
    }
}
