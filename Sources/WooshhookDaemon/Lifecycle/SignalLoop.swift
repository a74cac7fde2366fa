import Dispatch
import Glibc
import Logging

/// Signals as values on one serial queue, never work inside a C handler: SIGTERM/SIGINT end `run`, SIGHUP calls the
/// reload closure (serially, so a storm of HUPs reloads one at a time and never overlaps).
final class SignalLoop: @unchecked Sendable {
    // @unchecked: every stored property is only touched on `queue` or before `run` starts.
    private let queue = DispatchQueue(label: "wooshhook.signals")
    private let stopped = DispatchSemaphore(value: 0)
    private let logger: Logger
    private var sources: [any DispatchSourceSignal] = []
    private var watchdog: (any DispatchSourceTimer)?

    init(logger: Logger) {
        self.logger = logger
    }

    /// Sends `WATCHDOG=1` at half of `$WATCHDOG_USEC` while the process runs.
    func startWatchdog(notifier: SystemdNotifier, environment: [String: String]) {
        guard let interval = SystemdNotifier.watchdogInterval(environment: environment) else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now(), repeating: interval)
        timer.setEventHandler { notifier.notify("WATCHDOG=1") }
        timer.resume()
        watchdog = timer
    }

    /// Blocks until SIGTERM or SIGINT.
    func run(onReload: @escaping @Sendable () -> Void) {
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [logger, stopped] in
                if number == SIGHUP {
                    logger.info("SIGHUP: reloading the configuration")
                    onReload()
                } else {
                    logger.info("signal received, shutting down", metadata: ["signal": "\(number == SIGTERM ? "SIGTERM" : "SIGINT")"])
                    stopped.signal()
                }
            }
            source.resume()
            sources.append(source)
        }
        stopped.wait()
        watchdog?.cancel()
    }
}
