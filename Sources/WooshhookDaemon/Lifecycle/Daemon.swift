import Dispatch
import Foundation
import HTTPServer
import Journal
import Logging

/// `wooshhook serve`: starts the parts in order (journal lock, rejection log, journal recovery, handlers, listener,
/// status page), reports readiness, and on SIGTERM/SIGINT drains and stops them (`drainOrder`). A part that cannot
/// start stops those started before it, newest first (`StartedParts`).
public enum Daemon {
    /// What `serve` starts and must stop.
    enum Part: Equatable {
        case journalLock, rejectionLog, journal, quarantine, handlers, listener, statusPage
    }

    /// The shutdown after SIGTERM/SIGINT, which is not simply the reverse of the start: the listener first, so
    /// nothing new arrives and what is in flight is answered (or refused `shutting_down`); the status page after it,
    /// so it shows `shutting_down` during the drain; the rejection log and the journals are flushed next, before the
    /// handlers are given up to `shutdown_timeout_seconds` to finish their current event. The journal lock is
    /// released last, when `serve` returns.
    static let drainOrder: [Part] = [.listener, .statusPage, .rejectionLog, .journal, .quarantine, .handlers]

    /// Runs until SIGTERM or SIGINT; returns after a clean shutdown.
    public static func serve(_ configuration: Configuration, environment: [String: String]) throws(DaemonError) {
        // First, before any thread starts: a SIGTERM during start-up then waits, pending, for the signal loop.
        SignalLoop.blockSignals()
        let logger = Logger(label: "wooshhook")
        try checkSecrets(configuration, logger: logger)
        closeInheritedDescriptorsOnExec()
        let journalDirectory = configuration.journal.directory
        try createDirectories(of: journalDirectory)
        var parts = StartedParts<Part>()
        // On a throw, everything started so far; after a clean shutdown, what `drainOrder` left (the journal lock).
        defer { parts.stopAll() }
        let lock = try parts.start(.journalLock) { () throws(DaemonError) in
            try JournalOwnership.take(journalDirectory)
        } stop: {
            $0.release()
        }
        let rejectionLog = try parts.start(.rejectionLog) { () throws(DaemonError) in
            let log = RejectionLog(
                directory: "\(journalDirectory)/rejections", maxBytes: configuration.rejections.maxBytes,
                logger: logger)
            try log.start()
            return log
        } stop: {
            $0.close()
        }
        // Before the journals open: their metric handles bind to whatever factory is bootstrapped then.
        let metrics = DaemonMetrics()
        if case .never = configuration.journal.fsync {
            logger.warning("journal.fsync is \"never\": acknowledged events can be lost on a crash; development only")
        }
        let journal = try parts.start(.journal) { () throws(DaemonError) in
            try openJournal(
                configuration.journalConfiguration(
                    directory: journalDirectory, dedupeWindowHours: configuration.dedupeWindowHours),
                dedupe: true, logger: logger)
        } stop: {
            $0.close()
        }
        let quarantine = try parts.start(.quarantine) { () throws(DaemonError) in
            try openJournal(
                configuration.journalConfiguration(directory: "\(journalDirectory)/quarantine", dedupeWindowHours: 0),
                dedupe: false, logger: logger)
        } stop: {
            $0.close()
        }
        let handlers = try parts.start(.handlers) { () throws(DaemonError) in
            let handlers = HandlerPipeline(
                journalDirectory: journalDirectory, journalHead: { journal.lastSeq }, logger: logger)
            do {
                try handlers.start(configuration.handlers)
            } catch {
                throw DaemonError("cannot start the handlers: \(error)", exitCode: 78)
            }
            return handlers
        } stop: {
            $0.stop(timeoutSeconds: configuration.shutdownTimeoutSeconds)
        }
        let pipeline = ReceivePipeline(
            configuration: configuration, journal: journal, quarantine: quarantine, metrics: metrics, logger: logger,
            rejectionLog: rejectionLog, onJournaled: { handlers.notify() })
        let server = try parts.start(.listener) { () throws(DaemonError) in
            try startServer(configuration, handler: pipeline, environment: environment, logger: logger)
        } stop: { server in
            pipeline.beginShutdown()
            server.shutdown(gracePeriodSeconds: configuration.shutdownTimeoutSeconds)
        }
        // Where a command that goes through the daemon finds it (JournalLock); the wildcard addresses are reached
        // on loopback.
        let reachableHost = ["0.0.0.0": "127.0.0.1", "::": "::1"][configuration.listenHost] ?? configuration.listenHost
        if !lock.recordListener(host: reachableHost, port: server.boundPort) {
            logger.warning("cannot record the listening address in \(lock.path); replay --quarantine uses listen.port")
        }
        logger.info(
            "listening",
            metadata: [
                "host": "\(configuration.listenHost)", "port": "\(server.boundPort)", "path": "\(configuration.path)",
                "workers": "\(configuration.workers)", "fsync": "\(configuration.journal.fsync.configurationName)",
                "last_seq": "\(journal.lastSeq)",
            ])
        let statusSources = StatusSources(
            journalDirectory: journalDirectory, fsyncPolicy: configuration.journal.fsync.configurationName,
            journal: journal, metrics: metrics, rejections: rejectionLog,
            health: { pipeline.isShuttingDown ? "shutting_down" : journal.isWritable ? "ok" : "journal_unavailable" })
        _ = try parts.start(.statusPage) { () throws(DaemonError) in
            StatusListener.start(configuration, sources: statusSources, logger: logger)
        } stop: {
            $0?.stop()
        }
        let notifier = SystemdNotifier(environment: environment)
        notifier.notify("READY=1\nSTATUS=receiving on port \(server.boundPort), journal at seq \(journal.lastSeq)")
        let lifecycle = SignalLoop(logger: logger)
        lifecycle.startWatchdog(notifier: notifier, environment: environment)
        lifecycle.run { [configuration] in
            notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
            reload(pipeline, handlers, from: configuration.sourcePath, environment: environment, logger: logger)
            notifier.notify("READY=1\nSTATUS=reloaded; receiving on port \(server.boundPort)")
        }
        notifier.notify("STOPPING=1\nSTATUS=draining requests")
        logger.info(
            "stopping: draining requests", metadata: ["grace_seconds": "\(configuration.shutdownTimeoutSeconds)"])
        parts.stop(drainOrder)
        logger.info("stopped", metadata: ["last_seq": "\(journal.lastSeq)"])
    }

    /// The journal's folder (the lock lives in it), `quarantine/` and `cursors/`, durably, before anything starts.
    private static func createDirectories(of journalDirectory: String) throws(DaemonError) {
        for directory in [journalDirectory, "\(journalDirectory)/quarantine", "\(journalDirectory)/cursors"] {
            do {
                try DurableDirectory.create(directory)
            } catch {
                throw DaemonError("\(error)")
            }
        }
    }

    private static func openJournal(
        _ journalConfiguration: JournalConfiguration, dedupe: Bool, logger: Logger
    ) throws(DaemonError) -> JournalWriter {
        do {
            return try JournalWriter.open(journalConfiguration, dedupe: dedupe, logger: logger)
        } catch {
            throw DaemonError("cannot open the journal: \(error)")
        }
    }

    /// The webhook listener, on the socket systemd handed over or on `listen.host`/`listen.port`.
    private static func startServer(
        _ configuration: Configuration, handler: ReceivePipeline, environment: [String: String], logger: Logger
    ) throws(DaemonError) -> Server {
        let listen = try listenSetting(configuration, environment: environment)
        let server = Server(
            configuration: ServerConfiguration(
                listen: listen, workers: configuration.workers, maxConnections: configuration.maxConnections,
                maxBodyBytes: configuration.maxBodyBytes, readTimeoutSeconds: configuration.readTimeoutSeconds),
            handler: handler, logger: logger)
        do {
            try server.start()
        } catch {
            if case .inheritedSocket = listen {
                throw DaemonError("cannot use the socket from systemd: \(error)", exitCode: 78)
            }
            throw DaemonError("cannot listen: \(error)")
        }
        return server
    }

    /// SIGHUP: secrets, tolerance, handlers and log level from the file again; a broken file, or a handler that
    /// cannot start, keeps the whole old configuration serving.
    private static func reload(
        _ pipeline: ReceivePipeline, _ handlers: HandlerPipeline, from path: String?, environment: [String: String],
        logger: Logger
    ) {
        guard let path else {
            logger.warning("reload ignored: the configuration did not come from a file")
            return
        }
        do {
            let fresh = try ConfigurationLoader.load(path: path, environment: environment)
            // First: a handler that cannot start refuses the whole reload, and the old handlers keep running.
            try handlers.reload(fresh.handlers)
            pipeline.reload(secrets: fresh.secrets, toleranceSeconds: fresh.toleranceSeconds)
            logger.info(
                "reloaded",
                metadata: [
                    "config": "\(path)", "secrets": "\(fresh.secrets.count)", "log_level": "\(fresh.logLevel.rawValue)",
                ])
            // Last, so the line above is still written when the new level is quieter.
            StderrLogHandler.sharedLevel.level = fresh.logLevel
        } catch {
            logger.error("reload refused, the previous configuration keeps serving", metadata: ["error": "\(error)"])
        }
    }

    /// Whatever descriptors the parent left open (a supervisor's pipes, a socket-activation fd) must not leak into
    /// exec handlers' commands, where they would keep those pipes open after the daemon stops.
    private static func closeInheritedDescriptorsOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for fd in names.compactMap({ Int32($0) }) where fd > 2 {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// The placeholder secret of config.example.json: a loud warning on loopback, refused anywhere else.
    private static func checkSecrets(_ configuration: Configuration, logger: Logger) throws(DaemonError) {
        let placeholders = zip(configuration.secrets, configuration.secretSources)
            .filter { Configuration.isPlaceholder($0.0) }.map(\.1)
        guard !placeholders.isEmpty else { return }
        if Configuration.isLoopback(configuration.listenHost) {
            logger.warning(
                """
                PLACEHOLDER SECRET IN USE: anyone who read config.example.json can forge events; put the endpoint \
                secret from WooshPay in secret_files before exposing this port
                """,
                metadata: ["secret": "\(placeholders.joined(separator: ","))"])
        } else {
            throw DaemonError(
                "refusing to listen on \(configuration.listenHost) with the placeholder secret from "
                    + "config.example.json (\(placeholders.joined(separator: ", "))); configure the real endpoint secret",
                exitCode: 78)
        }
    }

    /// Socket activation (`LISTEN_FDS` for this pid) wins over `listen.host`/`listen.port`.
    private static func listenSetting(
        _ configuration: Configuration, environment: [String: String]
    ) throws(DaemonError) -> ServerConfiguration.Listen {
        guard let count = environment["LISTEN_FDS"].flatMap({ Int($0) }), count > 0 else {
            return .tcp(host: configuration.listenHost, port: configuration.listenPort)
        }
        guard environment["LISTEN_PID"].flatMap({ Int32($0) }) == getpid() else {
            return .tcp(host: configuration.listenHost, port: configuration.listenPort)
        }
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDNAMES")
        return .inheritedSocket(3)
    }
}
