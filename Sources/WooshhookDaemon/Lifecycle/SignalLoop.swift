import Dispatch
import Glibc
import Logging

/// Signals as values, never work inside a C handler: SIGTERM/SIGINT end `run`, SIGHUP calls the reload closure
/// (serially, so a storm of HUPs reloads one at a time and never overlaps). The three are blocked in every thread
/// from the start of `serve` and taken with `sigwait`, so one that arrives at any moment is pending, never lost:
/// with dispatch signal sources, a SIGTERM sent between `signal(SIG_IGN)` and the source being armed was
/// discarded, and the daemon ran on (seen as a test's SIGTERM SIGKILLed 20 s later).
final class SignalLoop: @unchecked Sendable {
    // @unchecked: every stored property is only touched on `queue` or before `run` starts.
    private let queue = DispatchQueue(label: "wooshhook.signals")
    private let logger: Logger
    private var watchdog: (any DispatchSourceTimer)?

    init(logger: Logger) {
        self.logger = logger
    }

    /// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread started after it: call it before
    /// any thread exists. (Children get an empty mask again: see `ChildProcess`.)
    static func blockSignals() {
        var signals = handledSignals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    private static var handledSignals: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, number) }
        return signals
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

    /// Blocks until SIGTERM or SIGINT; runs `onReload` on this thread for each SIGHUP.
    func run(onReload: () -> Void) {
        var signals = Self.handledSignals
        while true {
            var number: Int32 = 0
            guard sigwait(&signals, &number) == 0 else { continue }
            if number == SIGHUP {
                logger.info("SIGHUP: reloading the configuration")
                onReload()
            } else {
                logger.info(
                    "signal received, shutting down",
                    metadata: ["signal": "\(number == SIGTERM ? "SIGTERM" : "SIGINT")"])
                break
            }
        }
        watchdog?.cancel()
    }
}
